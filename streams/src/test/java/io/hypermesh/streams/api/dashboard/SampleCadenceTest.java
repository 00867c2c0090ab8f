package io.hypermesh.streams.api.dashboard;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleCadenceTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void unwatchedItSamplesEveryTenSecondsAndWatchedAtEveryTick() {
        SampleCadence cadence = new SampleCadence();
        long start = System.nanoTime();
        assertTrue(cadence.due(start), "the first tick samples");
        // Nobody asked within the minute: the next sample is 10 s after the last.
        long unwatched = start + SampleCadence.WATCHED_NANOS + SECOND;
        assertTrue(cadence.due(unwatched));
        assertFalse(cadence.due(unwatched + SECOND));
        assertFalse(cadence.due(unwatched + 9 * SECOND));
        assertTrue(cadence.due(unwatched + 10 * SECOND));
        cadence.asked();
        long now = System.nanoTime();
        assertTrue(cadence.due(now + SECOND), "watched: every tick");
        assertTrue(cadence.due(now + 2 * SECOND));
    }
}
