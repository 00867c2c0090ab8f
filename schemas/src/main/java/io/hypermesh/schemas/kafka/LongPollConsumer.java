package io.hypermesh.schemas.kafka;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A consumer of one of the bus's own tails, which the broker may hold a fetch for 5 s when there is
 * nothing to read. A record still comes back at once; what changes is how often an idle consumer
 * asks: every 5 s instead of Kafka's 500 ms, which on an idle bus was most of the broker's requests.
 * Only for a consumer whose partitions are set once before it polls: a consumer sends one fetch to a
 * broker at a time, so partitions assigned later (a rebalance) would wait for the held one. The
 * folds, whose tasks move, wait {@link #FOLDS_FETCH_MAX_WAIT_MS}.
 * <p>
 * Its {@link #close()} does not wait for the held fetch: Kafka's close ends the broker's fetch
 * session with one more fetch, and the broker answers a connection's requests in turn, so it would
 * wait out the held one (up to 5 s per consumer stopped). Such a consumer commits nothing and leaves
 * no group, so nothing is lost: the broker drops the session with the connection.
 */
public final class LongPollConsumer<K, V> extends KafkaConsumer<K, V> {
    /** Within the clients' 30 s request timeout, which a held fetch must not reach. */
    public static final int FETCH_MAX_WAIT_MS = 5_000;
    /** The folds' consumers: a task moved here waits at most this long for the fetch in flight. */
    public static final int FOLDS_FETCH_MAX_WAIT_MS = 1_000;
    static final Duration CLOSE_TIMEOUT = Duration.ofMillis(100);
    /**
     * How long a tail's loop may block in {@code poll}: it is stopped with {@code wakeup()}, so it
     * need not wake to look at a flag, and a record ends the wait at once.
     */
    public static final Duration POLL = Duration.ofMinutes(1);

    /** A consumer with {@code config} (copied) and the long fetch wait; it commits nothing of its own accord. */
    public LongPollConsumer(Map<String, Object> config, Deserializer<K> keys, Deserializer<V> values) {
        super(longPoll(config), keys, values);
    }

    private static Map<String, Object> longPoll(Map<String, Object> config) {
        Map<String, Object> copy = new HashMap<>(config);
        copy.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        copy.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return copy;
    }

    /** Closes without waiting for the fetch the broker holds. */
    @Override
    public void close() {
        close(CloseOptions.timeout(CLOSE_TIMEOUT));
    }
}
