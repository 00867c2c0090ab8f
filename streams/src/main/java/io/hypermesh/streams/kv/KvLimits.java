package io.hypermesh.streams.kv;

import java.time.Duration;

/**
 * The KV fold's bulkheads and clocks.
 *
 * @param maxBytes        keys plus values held at most; a write past it fails with the reason (a recurse
 *                        of the root is built in memory, so this bounds the biggest answer too)
 * @param maxSessions     live sessions at most; a create past it fails with the reason
 * @param historyPerKey   past versions kept per key for its history (older ones are in the log)
 * @param tombstoneTtl    how long a deleted key's index is kept, so a view's index never goes down
 * @param outcomeTtl      how long a decision is kept for the API that asked
 * @param judgeInterval   how often lapsed TTL sessions are looked for
 */
public record KvLimits(long maxBytes, int maxSessions, int historyPerKey, Duration tombstoneTtl, Duration outcomeTtl,
                       Duration judgeInterval) {
    public static KvLimits defaults() {
        return new KvLimits(64L * 1024 * 1024, 10_000, 32, Duration.ofMinutes(15), Duration.ofSeconds(30), Duration.ofSeconds(1));
    }
}
