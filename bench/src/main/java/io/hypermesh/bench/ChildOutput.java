package io.hypermesh.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.function.Consumer;

/** A child process's standard output, read until it says it is ready. */
final class ChildOutput {
    private ChildOutput() {
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
