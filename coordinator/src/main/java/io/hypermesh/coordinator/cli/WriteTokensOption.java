package io.hypermesh.coordinator.cli;

import io.hypermesh.http.auth.ApiTokens;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The bearer tokens a command's HTTP writes must carry: one option, the same on every command that takes writes. */
final class WriteTokensOption {
    @Option(names = "--api-tokens", paramLabel = "FILE",
            description = "Bearer tokens (one per line) its HTTP writes must carry (on a secured bus, a client certificate also does); "
                    + "without it, writes are open.")
    Path file;

    ApiTokens tokens() {
        return ApiTokens.fromFileOrOpen(file);
    }
}
