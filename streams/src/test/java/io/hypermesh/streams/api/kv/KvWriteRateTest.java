package io.hypermesh.streams.api.kv;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvWriteRateTest {
    @Test
    void aClientPastItsBurstWaitsForItsRateAndOthersDoNot() {
        KvWriteRate rate = new KvWriteRate();
        long t = 1_000_000_000L;
        for (int i = 0; i < KvWriteRate.BURST; i++) {
            assertTrue(rate.take("10.0.0.1", t), "within the burst: " + i);
        }
        assertFalse(rate.take("10.0.0.1", t), "past the burst at once");
        assertTrue(rate.take("10.0.0.2", t), "another client has its own bucket");
        long oneToken = (long) (1e9 / KvWriteRate.PER_SECOND);
        assertTrue(rate.take("10.0.0.1", t + oneToken), "a token back after 1/rate s");
        assertFalse(rate.take("10.0.0.1", t + oneToken));
    }
}
