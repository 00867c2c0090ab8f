package io.hypermesh.coordinator.cli;

import picocli.CommandLine.Option;

/** Where a command's HTTP listener binds: one option, the same on every command that listens. */
final class BindOption {
    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address its HTTP listener binds; the query API also gives it to its peers (default: ${DEFAULT-VALUE}).")
    String host;
}
