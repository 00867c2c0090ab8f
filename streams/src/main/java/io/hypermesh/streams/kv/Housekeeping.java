package io.hypermesh.streams.kv;

import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayDeque;

/**
 * When each tombstone was laid, so it can be reaped after the tombstone TTL, as Consul reaps its
 * graveyard. Memory only: after a restart every tombstone gets a full TTL again.
 */
final class Housekeeping {
    private record Grave(String key, long index, long laidAt) {
    }

    private final ArrayDeque<Grave> graves = new ArrayDeque<>();

    void buried(String key, long index, long now) {
        graves.addLast(new Grave(key, index, now));
    }

    /** Deletes the tombstones laid before {@code before} (unless laid again since); the highest index reaped, or 0. */
    long reap(long before, KeyValueStore<String, Long> tombstones) {
        long highest = 0;
        while (!graves.isEmpty() && graves.peekFirst().laidAt() < before) {
            Grave g = graves.pollFirst();
            Long current = tombstones.get(g.key());
            if (current != null && current == g.index()) {
                tombstones.delete(g.key());
                highest = Math.max(highest, g.index());
            }
        }
        return highest;
    }
}
