package io.hypermesh.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the whole machine was, from the first line of /proc/stat: with {@link ThreadCpu} for
 * this JVM and the load generator's own report, it says whose processes the cores went to.
 */
final class MachineCpu {
    private final long busy;
    private final long total;
    private final long nanos = System.nanoTime();

    private MachineCpu(long busy, long total) {
        this.busy = busy;
        this.total = total;
    }

    static MachineCpu now() {
        try {
            // cpu user nice system idle iowait irq softirq steal ...
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            long total = 0;
            for (int i = 1; i <= 8 && i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            return new MachineCpu(total - idle, total);
        } catch (IOException | RuntimeException e) {
            return new MachineCpu(0, 0);
        }
    }

    /** Cores busy from {@code before} to this snapshot, of {@link #cores()}; NaN without /proc/stat. */
    double busyCoresSince(MachineCpu before) {
        long t = total - before.total;
        return t <= 0 ? Double.NaN : (double) (busy - before.busy) / t * cores();
    }

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * A measurement window over the machine, this JVM's threads and the load generator: {@link #start}
     * opens it (the load generator calls it at its first measured send), {@link #split} says where
     * the cores went since.
     */
    static final class Window {
        private MachineCpu machine;
        private ThreadCpu threads;
        private BrokerRequests requests;

        void start() {
            requests = BrokerRequests.now();
            threads = ThreadCpu.now();
            machine = MachineCpu.now();
        }

        /**
         * The machine's cores since {@link #start}: the load generator's process (its CPU seconds, as
         * it reported them, over the same wall time), this JVM (the bus and, in the bench, its broker)
         * and the rest, with the CPU time each of {@code events} cost when positive, then this JVM's
         * busiest threads.
         */
        String split(double loadGeneratorCpuSeconds, long events, int top) {
            MachineCpu machineNow = now();
            ThreadCpu threadsNow = ThreadCpu.now();
            String brokerRequests = BrokerRequests.now().ratesSince(requests, 5);
            double seconds = (machineNow.nanos - machine.nanos) / 1e9;
            double busy = machineNow.busyCoresSince(machine);
            double jvm = threadsNow.totalCoresSince(threads);
            double loadGeneratorCores = loadGeneratorCpuSeconds < 0 ? Double.NaN : loadGeneratorCpuSeconds / seconds;
            String perEvent = events <= 0 ? "" : String.format(java.util.Locale.ROOT,
                    " (CPU per event: %.1f µs in all, %.1f µs in the bus's JVM)", busy * seconds / events * 1e6,
                            jvm * seconds / events * 1e6);
            return String.format(java.util.Locale.ROOT, "the machine's %d cores were %.2f busy: the load generator's process %.2f,"
                            + " the bus's JVM (with the broker) %.2f, the rest %.2f%s; the bus's JVM by thread: %s%s",
                    cores(), busy, loadGeneratorCores, jvm, Math.max(0, busy - jvm - loadGeneratorCores), perEvent,
                            threadsNow.since(threads, top),
                    brokerRequests.isEmpty() ? "" : "; the broker's requests per second: " + brokerRequests);
        }
    }
}
