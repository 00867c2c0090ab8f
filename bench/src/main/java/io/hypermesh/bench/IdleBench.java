package io.hypermesh.bench;

import io.hypermesh.adapters.testing.LocalEtcd;
import io.hypermesh.http.FreePorts;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * 9. Idle: what a real `hypermesh up` with no clients costs, in its own process, beside an idle etcd
 * member on the same machine. Both settle for {@link #SETTLE} from their start, then every thread's
 * CPU time is read from /proc over {@link #MEASURED}; the resident set is read at the end.
 */
final class IdleBench {
    static final Duration SETTLE = Duration.ofSeconds(90);
    static final Duration MEASURED = Duration.ofSeconds(60);
    /** Issue 33: an idle `up` uses at most 2% of one core. */
    static final double TARGET_CORES = 0.02;

    private final BenchRunner runner;
    private final Path launcher;

    IdleBench(BenchRunner runner, Path launcher) {
        this.runner = runner;
        this.launcher = launcher;
    }

    void run() throws Exception {
        boolean tiny = runner.scale().name().equals("tiny");
        // Tiny: long enough that an idle etcd spends a few of /proc's 10 ms ticks.
        Duration settle = tiny ? Duration.ofSeconds(10) : SETTLE;
        Duration measured = tiny ? Duration.ofSeconds(10) : MEASURED;
        Path work = Files.createDirectories(runner.work().resolve("idle"));
        long started = System.nanoTime();
        Process up = new ProcessBuilder(launcher.toString(), "up", "--data-dir=" + work.resolve("bus"),
                "--kafka-port=" + FreePorts.onLoopback(), "--registry-port=" + FreePorts.onLoopback(),
                "--api-port=" + FreePorts.onLoopback())
                .redirectError(work.resolve("up.log").toFile()).start();
        try (LocalEtcd etcd = LocalEtcd.start(runner.etcdBinary(), Files.createDirectories(work.resolve("etcd")), 1)) {
            BufferedReader out = new BufferedReader(new InputStreamReader(up.getInputStream()));
            String line = out.readLine();
            while (line != null && !line.contains("Bus is up")) { // after the adapters, not only the core
                line = out.readLine();
            }
            if (line == null) {
                throw new IllegalStateException("up exited before it was up: see " + work.resolve("up.log"));
            }
            Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "idle-up-stdout");
            drain.setDaemon(true);
            drain.start();
            long upMs = (System.nanoTime() - started) / 1_000_000;
            Thread.sleep(Math.max(0, settle.toMillis() - upMs));
            long etcdPid = etcd.members().get(0).process().pid();
            ThreadCpu busBefore = ThreadCpu.of(up.pid());
            ThreadCpu etcdBefore = ThreadCpu.of(etcdPid);
            Thread.sleep(measured.toMillis());
            ThreadCpu busAfter = ThreadCpu.of(up.pid());
            ThreadCpu etcdAfter = ThreadCpu.of(etcdPid);
            double bus = busAfter.totalCoresSince(busBefore);
            double base = etcdAfter.totalCoresSince(etcdBefore);
            long rss = rssMb(up.pid());
            String figure = String.format(Locale.ROOT, "cores of an idle `up` over %d s after %d s from its start (up in %.1f s)",
                    measured.toSeconds(), settle.toSeconds(), upMs / 1000.0);
            runner.report().add("9. idle", figure, bus, "idle etcd, one member", base, bus / base, "<= 0.02 (2% of one core)",
                    bus <= TARGET_CORES);
            runner.report().add("9. idle", "resident set MB of the same `up` (heap bound -Xmx2g)", rss, "idle etcd, one member",
                    rssMb(etcdPid), (double) rss / rssMb(etcdPid), "-", true);
            runner.report().note("idle `up`, by thread from /proc: " + busAfter.idleSince(busBefore, 16) + "; idle etcd: "
                    + etcdAfter.idleSince(etcdBefore, 6));
        } finally {
            up.toHandle().destroy();
            up.waitFor();
        }
    }

    /** The resident set of process {@code pid} in MB, from /proc; -1 if it cannot be read. */
    static long rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
