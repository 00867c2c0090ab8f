package io.hypermesh.coordinator.cli;

import picocli.CommandLine.Option;

/** How many stream threads the folds of a command run: one option, the same on `up` and `folds`. */
final class StreamThreadsOption {
    @Option(names = "--stream-threads", defaultValue = "1",
            description = "Kafka Streams threads of the folds (num.stream.threads); more than one helps only when this instance "
                    + "owns more input partitions than threads and one thread's core is saturated (default: ${DEFAULT-VALUE}).")
    int threads;
}
