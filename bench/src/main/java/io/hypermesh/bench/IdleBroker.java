package io.hypermesh.bench;

import io.hypermesh.platform.kafka.EmbeddedKafka;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The floor of the idle bench: the embedded KRaft broker that `up` runs, with the same settings and
 * heap bound, and nothing else, in a JVM of its own. Prints "broker up" once it serves, and stops
 * when its standard input closes.
 */
final class IdleBroker {
    private IdleBroker() {
    }

    public static void main(String[] args) throws IOException {
        try (EmbeddedKafka broker = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]))) {
            System.out.println("broker up " + broker.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the bench closes our input
            }
        }
    }

    /** Starts the broker alone in a child JVM, bounded as `up` is (-Xmx2g); returns once it serves. */
    static Process start(Path dataDir, int port, Path log) throws IOException {
        List<String> command = ChildJvm.command(List.of("-Xmx2g"), IdleBroker.class.getName(), List.of(dataDir.toString(),
                Integer.toString(port)));
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        if (!ChildJvm.awaitLine(process, "broker up", line -> { })) { // past anything the broker logs to standard output
            process.destroyForcibly();
            throw new IllegalStateException("the broker alone did not start: see " + log);
        }
        return process;
    }
}
