package io.hypermesh.streams.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * The one cache of the query API: at most {@value #MAX_ENTRIES} entries and {@code maxBytes} of
 * them. It is cleared when full rather than tracking recency (many distinct queries mean little is
 * reused anyway), and one entry over a quarter of the bytes is not kept, so it cannot push out all
 * the others.
 */
public final class BoundedCache<K, V> {
    static final int MAX_ENTRIES = 1_000;

    private final Map<K, V> entries = new ConcurrentHashMap<>();
    private final long maxBytes;
    private final ToLongFunction<V> size;
    private long bytes;

    /** @param size the bytes an entry holds, charged against {@code maxBytes} */
    public BoundedCache(long maxBytes, ToLongFunction<V> size) {
        this.maxBytes = maxBytes;
        this.size = size;
    }

    /** A cache of small entries, bounded by their count. */
    public static <K, V> BoundedCache<K, V> ofEntries() {
        return new BoundedCache<>(Long.MAX_VALUE, v -> 0);
    }

    public V get(K key) {
        return entries.get(key);
    }

    public synchronized void put(K key, V value) {
        long weight = size.applyAsLong(value);
        if (weight > maxBytes / 4) {
            return;
        }
        if (bytes + weight > maxBytes || entries.size() >= MAX_ENTRIES) {
            entries.clear();
            bytes = 0;
        }
        V previous = entries.put(key, value);
        bytes += weight - (previous == null ? 0 : size.applyAsLong(previous));
    }

    public synchronized void remove(K key) {
        V previous = entries.remove(key);
        if (previous != null) {
            bytes -= size.applyAsLong(previous);
        }
    }
}
