package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.bus.EventTail;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print a topic's events as JSON lines; undecodable records are reported on stderr with partition and offset.")
final class TailCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    EndpointOptions endpoints;

    @Parameters(index = "0", description = "Topic to read")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the oldest record instead of new ones.")
    boolean fromBeginning;

    @Option(names = "--max-messages", defaultValue = "0", description = "Stop after this many records (0: no limit).")
    long maxMessages;

    @Option(names = "--idle-timeout", description = "Stop after this long without a record (a Go duration: 500ms, 30s).")
    Duration idleTimeout;

    @Option(names = "--dead-letter", description = "Copy undecodable records to the dead-letter topic.")
    boolean deadLetter;

    @Override
    public Integer call() {
        io.hypermesh.coordinator.bus.BusEndpoints bus = endpoints.resolve();
        try (EventTail tail = new EventTail(endpoints.kafka(bus), bus.registryUrl())) {
            Thread stopper = new Thread(tail::wakeup, "tail-stop");
            Runtime.getRuntime().addShutdownHook(stopper);
            EventTail.Counts counts = tail.run(topic, fromBeginning, maxMessages,
                    idleTimeout, deadLetter,
                    spec.commandLine().getOut(), spec.commandLine().getErr());
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // already stopping
            }
            return counts.failed() == 0 ? 0 : 2;
        }
    }
}
