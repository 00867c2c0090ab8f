package io.hypermesh.bench;

import io.hypermesh.adapters.audit.AuditTrail;
import io.hypermesh.adapters.audit.AuditVerifier;
import io.hypermesh.adapters.audit.OneAhead;
import io.hypermesh.events.audit.AuditCheckpoint;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.audit.AuditRecord;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** 6. Audit: append-and-sign and verify, against raw SHA-256 over the same canonical bytes. */
final class AuditBench {
    private static final int AUDIT_ROUNDS = 7;
    /** Records per verification batch: what one poll of the audit topic returns (max.poll.records). */
    private static final int VERIFY_BATCH = 2_000;

    private AuditBench() {
    }

    // 6. Audit: append-and-sign and verify, against raw SHA-256 over the same canonical bytes.
    static void run(int n, BenchReport report) {
        Ed25519PrivateKeyParameters key = AuditTrail.newKey();
        AuditTrail trail = new AuditTrail("bench-adapter", key, 1_000);
        List<Object> events = new ArrayList<>(n + n / 1_000 + 1);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            events.addAll(trail.append("bench", "observe", "target-" + i, AuditOutcome.OBSERVED, Map.of("i", Integer.toString(i))).events());
        }
        double appendRate = n / ((System.nanoTime() - t0) / 1e9);
        MessageDigest sha = io.hypermesh.adapters.audit.MerkleFrontier.sha256OrFail();
        byte[][] payloads = new byte[n][];
        for (int i = 0; i < n; i++) {
            payloads[i] = AuditTrail.canonical("bench-adapter", i + 1, "bench", "observe", "target-" + i, AuditOutcome.OBSERVED,
                    Map.of("i", Integer.toString(i)));
        }
        // Alternating rounds, median of each: one pass over a few hundred thousand small records is
        // a fraction of a second, at the mercy of JIT and the other core.
        double[] verifyRates = new double[AUDIT_ROUNDS];
        double[] rawRates = new double[AUDIT_ROUNDS];
        byte[] sink = new byte[32];
        for (int round = 0; round < AUDIT_ROUNDS; round++) {
            AuditVerifier verifier = new AuditVerifier(Map.of(AuditTrail.keyId(key), key.generatePublicKey()));
            long t1 = System.nanoTime();
            // As `hypermesh audit verify` does: the next batch's leaves hashed on a second thread while
            // this one checks the batch before in order.
            // The prepared batch travels with its leaves, so the check reads exactly what was hashed.
            try (OneAhead<List<Object>, Map.Entry<List<Object>, byte[][]>> pipeline = new OneAhead<>(batch -> Map.entry(batch,
                    AuditVerifier.leaves(batch.stream().filter(AuditRecord.class::isInstance).map(AuditRecord.class::cast).toList())), prepared -> {
                        byte[][] leaves = prepared.getValue();
                        int hashed = 0;
                        for (Object e : prepared.getKey()) {
                            var broken = e instanceof AuditRecord r ? verifier.record(r, leaves[hashed++]) : verifier.checkpoint((AuditCheckpoint) e);
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
            verifyRates[round] = n / ((System.nanoTime() - t1) / 1e9);
            long t2 = System.nanoTime();
            for (byte[] p : payloads) {
                sink = sha.digest(p);
            }
            rawRates[round] = n / ((System.nanoTime() - t2) / 1e9);
        }
        if (sink.length != 32) {
            throw new IllegalStateException();
        }
        double verifyRate = median(verifyRates);
        double rawRate = median(rawRates);
        report.add("6. audit", "append and sign, records/s", appendRate, "raw SHA-256", rawRate, appendRate / rawRate, "-", true);
        report.add("6. audit", "verify, records/s", verifyRate, "raw SHA-256", rawRate, verifyRate / rawRate, ">= 0.50", verifyRate / rawRate >= 0.5);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
