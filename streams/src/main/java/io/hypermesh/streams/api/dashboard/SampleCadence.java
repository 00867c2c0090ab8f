package io.hypermesh.streams.api.dashboard;

/**
 * How often the dashboard samples the flow and the scores for its history: every second (the
 * timer's period) while someone looked within the last minute, every 10 s otherwise, so an idle
 * bus nobody watches wakes for little.
 */
final class SampleCadence {
    static final long WATCHED_NANOS = 60_000_000_000L;
    static final long UNWATCHED_EVERY_NANOS = 10_000_000_000L;

    private volatile long lastAskedNanos = System.nanoTime();
    private long lastSampledNanos = System.nanoTime() - UNWATCHED_EVERY_NANOS;

    /** Someone asked for the overview now. */
    void asked() {
        lastAskedNanos = System.nanoTime();
    }

    /** Whether a sample is due at this tick of the timer; if so, it counts as taken. Called from one thread. */
    boolean due() {
        return due(System.nanoTime());
    }

    boolean due(long now) {
        if (now - lastAskedNanos > WATCHED_NANOS && now - lastSampledNanos < UNWATCHED_EVERY_NANOS) {
            return false;
        }
        lastSampledNanos = now;
        return true;
    }
}
