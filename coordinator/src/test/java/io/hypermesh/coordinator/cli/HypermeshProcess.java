package io.hypermesh.coordinator.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** `hypermesh` as a real process on the test class path: its stdout lines collected, stopped with SIGTERM. */
final class HypermeshProcess implements AutoCloseable {
    final Process process;
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;
    /** Where the process's stderr went. */
    final Path stderr;

    HypermeshProcess(String... args) throws Exception {
        this(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                Hypermesh.class.getName()), args);
    }

    /** Through the launcher users run (bin/hypermesh of this checkout, which needs `package` done). */
    static HypermeshProcess launched(String... args) throws Exception {
        Path launcher = Path.of("..", "bin", "hypermesh").toAbsolutePath().normalize();
        return new HypermeshProcess(List.of(launcher.toString()), args);
    }

    private HypermeshProcess(List<String> launcher, String... args) throws Exception {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(args));
        stderr = Path.of("target", "hypermesh-" + args[0] + "-" + System.nanoTime() + ".log");
        process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (Exception ignored) {
                // process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    void awaitLine(String text, long seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000;
        while (System.currentTimeMillis() < deadline) {
            if (has(text)) {
                return;
            }
            if (!process.isAlive()) {
                reader.join(5_000);
                if (has(text)) {
                    return;
                }
                throw new AssertionError("hypermesh exited " + process.exitValue() + " before '" + text + "': " + lines);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' within " + seconds + " s: " + lines);
    }

    private boolean has(String text) {
        synchronized (lines) {
            return lines.stream().anyMatch(l -> l.contains(text));
        }
    }

    /** The first line starting with this prefix. */
    String line(String prefix) {
        synchronized (lines) {
            return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    /** SIGTERM through the handle (Process.destroy() would also close our end of its stdout); true when it exited in time. */
    boolean terminate(long seconds) throws InterruptedException {
        process.toHandle().destroy();
        boolean exited = process.waitFor(seconds, TimeUnit.SECONDS);
        reader.join(5_000);
        return exited;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor(60, TimeUnit.SECONDS);
    }
}
