package io.hypermesh.schemas.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.util.Map;

/**
 * How long the broker may hold a fetch of the bus's own consumers (tails, folds) when there is
 * nothing to read. A record still comes back at once; what changes is how often an idle consumer
 * asks: every 5 s instead of Kafka's 500 ms, which on an idle bus was most of the broker's requests.
 */
public final class LongPoll {
    /** Within the clients' 30 s request timeout, which a held fetch must not reach. */
    public static final int FETCH_MAX_WAIT_MS = 5_000;

    private LongPoll() {
    }

    /** {@code consumerConfig} with the long fetch wait; returned for chaining. */
    public static Map<String, Object> on(Map<String, Object> consumerConfig) {
        consumerConfig.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        return consumerConfig;
    }
}
