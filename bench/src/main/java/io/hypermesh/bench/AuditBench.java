package io.hypermesh.bench;

import io.hypermesh.adapters.audit.AuditTrail;
import io.hypermesh.adapters.audit.AuditVerifier;
import io.hypermesh.adapters.audit.OneAhead;
import io.hypermesh.events.audit.AuditCheckpoint;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.audit.AuditEntry;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** 6. Audit: append-and-sign and verify, against raw SHA-256 over the same content bytes. */
final class AuditBench {
    private static final int AUDIT_ROUNDS = 7;
    /** Records per verification batch: what one poll of the audit topic returns (max.poll.records). */
    private static final int VERIFY_BATCH = 2_000;

    static void run(int n, java.time.Duration warmUp, BenchReport report) {
        Ed25519PrivateKeyParameters key = AuditTrail.newKey();
        List<Object> events = append(key, n);
        // The baseline hashes each entry's content bytes, as stored, once.
        byte[][] payloads = events.stream().filter(AuditEntry.class::isInstance)
                .map(e -> AuditTrail.contentBytes((AuditEntry) e))
                .toArray(byte[][]::new);
        AuditBench bench = new AuditBench(key, events, payloads);
        // Warm: rounds until the JIT has had its time and two verify rounds in a row agree within 5%.
        long warmFrom = System.nanoTime();
        double last = 0;
        int warmRounds = 0;
        while (true) {
            double rate = bench.verifyRound(null);
            bench.rawRound();
            warmRounds++;
            long warmed = System.nanoTime() - warmFrom;
            boolean steady = last > 0 && Math.abs(rate - last) <= 0.05 * last;
            if ((steady && warmed > warmUp.toNanos()) || warmed > 4 * warmUp.toNanos()) {
                break;
            }
            last = rate;
        }
        long t0 = System.nanoTime();
        append(key, n);
        double appendRate = n / ((System.nanoTime() - t0) / 1e9);
        // Alternating rounds, median of each: one pass over a few hundred thousand small records is
        // a fraction of a second, at the mercy of the other core.
        double[] verifyRates = new double[AUDIT_ROUNDS];
        double[] rawRates = new double[AUDIT_ROUNDS];
        long[] cpu = new long[4]; // checking, hashing ahead, process, wall (ns)
        ThreadCpu cpuBefore = ThreadCpu.now();
        String threadSplit = "";
        for (int round = 0; round < AUDIT_ROUNDS; round++) {
            verifyRates[round] = bench.verifyRound(cpu);
            if (round == AUDIT_ROUNDS - 1) {
                threadSplit = ThreadCpu.now().since(cpuBefore, 6);
            }
            rawRates[round] = bench.rawRound();
        }
        double verifyRate = median(verifyRates);
        double rawRate = median(rawRates);
        report.add("6. audit", "append and sign, records/s", appendRate, "raw SHA-256", rawRate, appendRate / rawRate, "-", true);
        report.add("6. audit", "verify, records/s", verifyRate, "raw SHA-256", rawRate, verifyRate / rawRate, ">= 0.50",
                verifyRate / rawRate >= 0.5);
        report.note(String.format("audit verify, after %d warm-up rounds (%.1f s), median of %d rounds (verify %s records/s, raw "
                + "SHA-256 %s);"
                        + " CPU per wall second: checking thread %.2f, leaf-hashing thread %.2f, whole process %.2f of %d cores;"
                        + " raw SHA-256 hashes each entry's %d content bytes once, verifying hashes them once more (with the leaf "
                                + "prefix) and adds a Merkle node",
                warmRounds, (t0 - warmFrom) / 1e9, AUDIT_ROUNDS, spread(verifyRates), spread(rawRates),
                cpu[0] / (double) cpu[3], cpu[1] / (double) cpu[3], cpu[2] / (double) cpu[3],
                Runtime.getRuntime().availableProcessors(), payloads.length == 0 ? 0 : payloads[0].length));
        report.note("audit verify, cores per thread from /proc over the measured rounds (raw SHA-256 rounds in between; the leaf-hashing"
                + " thread of each round has ended and is counted above): " + threadSplit);
    }

    private final Ed25519PrivateKeyParameters key;
    private final List<Object> events;
    private final byte[][] payloads;
    private final MessageDigest sha = io.hypermesh.adapters.audit.MerkleFrontier.sha256OrFail();
    private final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private AuditBench(Ed25519PrivateKeyParameters key, List<Object> events, byte[][] payloads) {
        this.key = key;
        this.events = events;
        this.payloads = payloads;
    }

    private static List<Object> append(Ed25519PrivateKeyParameters key, int n) {
        AuditTrail trail = new AuditTrail("bench-adapter", key, 1_000);
        List<Object> events = new ArrayList<>(n + n / 1_000 + 1);
        for (int i = 0; i < n; i++) {
            events.addAll(trail.append("bench", "observe", "target-" + i, AuditOutcome.OBSERVED, Map.of("i",
                    Integer.toString(i))).events());
        }
        return events;
    }

    /** Raw SHA-256 over every entry's content bytes; records per second. */
    private double rawRound() {
        long t = System.nanoTime();
        byte[] sink = null;
        for (byte[] p : payloads) {
            sink = sha.digest(p);
        }
        double rate = payloads.length / ((System.nanoTime() - t) / 1e9);
        if (sink != null && sink.length != 32) {
            throw new IllegalStateException();
        }
        return rate;
    }

    /**
     * One verification of the whole trail as `hypermesh audit verify` does it: the next batch's
     * leaves hashed on a second thread while this one checks the batch before in order; records
     * per second. With {@code cpu}, adds the CPU time of the checking thread, the hashing thread and
     * the process, and the wall time (where the time goes, for a missed target's evidence).
     */
    private double verifyRound(long[] cpu) {
        AuditVerifier verifier = new AuditVerifier(Map.of(AuditTrail.keyId(key), key.generatePublicKey()));
        long checkingBefore = threads.getCurrentThreadCpuTime();
        long processBefore = os.getProcessCpuTime();
        long hashing[] = {0};
        long t = System.nanoTime();
        // The prepared batch travels with its leaves, so the check reads exactly what was hashed.
        try (OneAhead<List<Object>, Map.Entry<List<Object>, byte[][]>> pipeline = new OneAhead<>(batch -> {
            long before = threads.getCurrentThreadCpuTime();
            var prepared = Map.entry(batch,
                    AuditVerifier.leaves(batch.stream().filter(AuditEntry.class::isInstance).map(AuditEntry.class::cast).toList()));
            hashing[0] += threads.getCurrentThreadCpuTime() - before; // one thread, read after it is joined
            return prepared;
        }, prepared -> {
            byte[][] leaves = prepared.getValue();
            int hashed = 0;
            for (Object e : prepared.getKey()) {
                var broken = e instanceof AuditEntry r ? verifier.record(r, leaves[hashed++]) : verifier.checkpoint((AuditCheckpoint) e);
                if (broken.isPresent()) {
                    throw new IllegalStateException("benchmark trail does not verify: " + broken.get());
                }
            }
        })) {
            for (int from = 0; from < events.size(); from += VERIFY_BATCH) {
                pipeline.accept(events.subList(from, Math.min(events.size(), from + VERIFY_BATCH)));
            }
            pipeline.finish();
        }
        long wall = System.nanoTime() - t;
        if (cpu != null) {
            cpu[0] += threads.getCurrentThreadCpuTime() - checkingBefore;
            cpu[1] += hashing[0];
            cpu[2] += os.getProcessCpuTime() - processBefore;
            cpu[3] += wall;
        }
        return payloads.length / (wall / 1e9);
    }

    /** {@code median (min..max)}. */
    private static String spread(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return String.format("%,.0f (%,.0f..%,.0f)", sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
