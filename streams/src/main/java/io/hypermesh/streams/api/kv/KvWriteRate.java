package io.hypermesh.streams.api.kv;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How fast one client may ask the KV fold for changes: a token bucket per client address. Every
 * request is a record kept forever on {@code hypermesh.kv} and one decision for the single writer,
 * so one client writing in a loop must not fill the log or queue every other client's lock behind
 * its writes. The buckets of the most recent clients are kept; a forgotten client starts full.
 */
final class KvWriteRate {
    static final double PER_SECOND = 1_000;
    static final double BURST = 2_000;
    private static final int CLIENTS = 10_000;

    private final Map<String, double[]> buckets = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
            return size() > CLIENTS;
        }
    };

    /** Takes a token of {@code client}'s bucket; false when it is empty. */
    synchronized boolean take(String client, long nowNanos) {
        double[] bucket = buckets.computeIfAbsent(client, c -> new double[] {BURST, nowNanos});
        double refill = (nowNanos - bucket[1]) / 1e9 * PER_SECOND;
        bucket[0] = Math.min(BURST, bucket[0] + Math.max(0, refill));
        bucket[1] = nowNanos;
        if (bucket[0] < 1) {
            return false;
        }
        bucket[0] -= 1;
        return true;
    }
}
