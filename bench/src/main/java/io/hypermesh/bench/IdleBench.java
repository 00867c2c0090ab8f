package io.hypermesh.bench;

import io.hypermesh.adapters.testing.LocalEtcd;
import io.hypermesh.http.FreePorts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * 9. Idle: what a real `hypermesh up` with no clients costs, in its own process, beside its floor (the
 * embedded broker it runs, alone in a JVM of its own) and an idle etcd member on the same machine.
 * Each settles for {@link #SETTLE} from its start, then every thread's CPU time is read from /proc
 * over {@link #MEASURED}; the resident sets are read at the end.
 */
final class IdleBench {
    static final Duration SETTLE = Duration.ofSeconds(90);
    static final Duration MEASURED = Duration.ofSeconds(60);
    /** Issue 33: an idle `up` uses at most 2% of one core. */
    static final double TARGET_CORES = 0.02;
    /** The baseline: what `up` embeds, alone. */
    static final String FLOOR = "embedded KRaft broker alone, same settings (floor)";

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
        Process broker = null;
        try (LocalEtcd etcd = LocalEtcd.start(runner.etcdBinary(), Files.createDirectories(work.resolve("etcd")), 1)) {
            broker = IdleBroker.start(work.resolve("broker"), FreePorts.onLoopback(), work.resolve("broker.log"));
            long brokerStarted = System.nanoTime();
            // "Bus is up": after the adapters, not only the core.
            if (!ChildJvm.awaitLine(up, "Bus is up", line -> { })) {
                throw new IllegalStateException("up exited before it was up: see " + work.resolve("up.log"));
            }
            long upMs = (System.nanoTime() - started) / 1_000_000;
            // Each settles as long from its own start; the broker started first, so the window begins when `up`'s ends.
            Thread.sleep(Math.max(0, settle.toMillis() - upMs));
            long etcdPid = etcd.members().get(0).process().pid();
            ThreadCpu busBefore = ThreadCpu.of(up.pid());
            ThreadCpu brokerBefore = ThreadCpu.of(broker.pid());
            ThreadCpu etcdBefore = ThreadCpu.of(etcdPid);
            Thread.sleep(measured.toMillis());
            ThreadCpu busAfter = ThreadCpu.of(up.pid());
            ThreadCpu brokerAfter = ThreadCpu.of(broker.pid());
            ThreadCpu etcdAfter = ThreadCpu.of(etcdPid);
            double bus = busAfter.totalCoresSince(busBefore);
            double alone = brokerAfter.totalCoresSince(brokerBefore);
            double base = etcdAfter.totalCoresSince(etcdBefore);
            String figure = String.format(Locale.ROOT, "cores of an idle `up` over %d s after %d s from its start (up in %.1f s)",
                    measured.toSeconds(), settle.toSeconds(), upMs / 1000.0);
            String target = String.format(Locale.ROOT, "<= 0.02 (2%% of one core); the broker alone uses %.3f", alone);
            runner.report().add("9. idle", figure, bus, FLOOR, alone, bus / alone, target, bus <= TARGET_CORES);
            runner.report().add("9. idle", "the same, against an idle etcd", bus, "idle etcd, one member", base, bus / base, "-", true);
            long rss = rssMb(up.pid());
            long brokerRss = rssMb(broker.pid());
            runner.report().add("9. idle", "resident set MB of the same `up` (heap bound -Xmx2g)", rss, FLOOR, brokerRss,
                    (double) rss / brokerRss, "reported", true);
            runner.report().note(String.format(Locale.ROOT, "idle `up`, by thread from /proc: %s; "
                    + "the broker alone (%.0f s from its start): %s; idle etcd: %s", busAfter.idleSince(busBefore, 16),
                    (System.nanoTime() - brokerStarted) / 1e9, brokerAfter.idleSince(brokerBefore, 8), etcdAfter.idleSince(etcdBefore, 6)));
        } finally {
            if (broker != null) {
                broker.getOutputStream().close();
                if (!broker.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    broker.destroyForcibly();
                }
            }
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
