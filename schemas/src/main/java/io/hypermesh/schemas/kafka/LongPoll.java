package io.hypermesh.schemas.kafka;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.time.Duration;
import java.util.Map;

/**
 * How long the broker may hold a fetch of the bus's own tails when there is nothing to read. A
 * record still comes back at once; what changes is how often an idle consumer asks: every 5 s
 * instead of Kafka's 500 ms, which on an idle bus was most of the broker's requests. Only for a
 * consumer whose partitions are set once before it polls: a consumer sends one fetch to a broker at
 * a time, so partitions assigned later (a rebalance) would wait for the held one. The folds, whose
 * tasks move, wait {@link #FOLDS_FETCH_MAX_WAIT_MS}.
 */
public final class LongPoll {
    /** Within the clients' 30 s request timeout, which a held fetch must not reach. */
    public static final int FETCH_MAX_WAIT_MS = 5_000;
    /** The folds' consumers: a task moved here waits at most this long for the fetch in flight. */
    public static final int FOLDS_FETCH_MAX_WAIT_MS = 1_000;
    /**
     * How long closing a long-polling consumer waits. Its close ends the broker's fetch session with
     * one more fetch, and the broker answers a connection's requests in turn, so by default the close
     * waits out the held fetch (up to 5 s per consumer stopped). A consumer this class configures
     * commits nothing and leaves no group, so nothing is lost by not waiting: the broker drops the
     * session with the connection.
     */
    public static final Duration CLOSE_TIMEOUT = Duration.ofMillis(100);

    private LongPoll() {
    }

    /** {@code consumerConfig} with the long fetch wait; returned for chaining. */
    public static Map<String, Object> on(Map<String, Object> consumerConfig) {
        consumerConfig.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        return consumerConfig;
    }

    /** Closes a consumer configured by {@link #on} without waiting for its held fetch. */
    public static void close(Consumer<?, ?> consumer) {
        consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
    }
}
