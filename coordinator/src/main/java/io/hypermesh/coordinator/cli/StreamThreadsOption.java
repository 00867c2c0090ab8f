package io.hypermesh.coordinator.cli;

import picocli.CommandLine.Option;

/** How many stream threads the folds of a command run: one option, the same on `up` and `folds`. */
final class StreamThreadsOption {
    @Option(names = "--stream-threads",
            description = "Kafka Streams threads of the folds (num.stream.threads); more than one helps only when this instance "
                    + "owns more input partitions than threads and one thread's core is saturated (default: the preset's, 1 but for "
                    + "performance's 2).")
    Integer threads;

    /** The threads asked for, or {@code preset}'s when none were. */
    int or(int preset) {
        return threads != null ? threads : preset;
    }
}
