package io.hypermesh.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The processes the bench starts beside itself (load generators, watchers, the broker alone, Kafka's
 * producer perf): a JVM of this one's Java and class path, and a child's output read until it says
 * it is ready.
 */
final class ChildJvm {
    private ChildJvm() {
    }

    /** The command line of a JVM that runs {@code mainClass} from this JVM's class path, with {@code jvmOptions} before it. */
    static List<String> command(List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        return command;
    }

    /**
     * Reads {@code child}'s standard output until a line containing {@code marker}, handing each
     * earlier line to {@code before}, then drains the rest in the background so the child never
     * blocks on a full pipe.
     *
     * @return whether the marker came; false when the output ended first (the child exited)
     */
    static boolean awaitLine(Process child, String marker, Consumer<String> before) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
        String line = out.readLine();
        while (line != null && !line.contains(marker)) {
            before.accept(line);
            line = out.readLine();
        }
        if (line == null) {
            return false;
        }
        Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "child-" + child.pid() + "-stdout");
        drain.setDaemon(true);
        drain.start();
        return true;
    }
}
