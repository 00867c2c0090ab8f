package io.hypermesh.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Whether the JIT is done, for the benchmarks that warm until it is (idle propagation, latency): compile time grew by less than {@link
 * #QUIET_SHARE_PERCENT}% of the
 * last {@link #WINDOW_NANOS} (a compiler thread took most of a core for the first minute),
 * or the most it may take passed.
 */
final class JitQuiet {
    static final int QUIET_SHARE_PERCENT = 5;
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(3);
    private final long mostNanos;
    private final java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    private final long began = System.nanoTime();
    private long windowStart = began;
    private long compiledAtWindowStart = jit.getTotalCompilationTime();
    private long lastWindowCompiledMs = -1;
    private long lastWindowMs = -1;

    JitQuiet(Duration most) {
        this.mostNanos = most.toNanos();
    }

    boolean quiet() {
        long now = System.nanoTime();
        if (now - began > mostNanos) {
            return true;
        }
        if (now - windowStart < WINDOW_NANOS) {
            return false;
        }
        long compiled = jit.getTotalCompilationTime();
        lastWindowCompiledMs = compiled - compiledAtWindowStart;
        long windowMs = (now - windowStart) / 1_000_000;
        lastWindowMs = windowMs;
        windowStart = now;
        compiledAtWindowStart = compiled;
        return lastWindowCompiledMs * 100 < QUIET_SHARE_PERCENT * windowMs;
    }

    /** The share of the last window the JIT spent compiling, in percent; -1 before a window has ended. */
    double lastWindowPercent() {
        return lastWindowMs <= 0 ? -1 : 100.0 * lastWindowCompiledMs / lastWindowMs;
    }

    String describe() {
        return String.format(Locale.ROOT, "%.0f s, %d ms compiling in the last window", (System.nanoTime() - began) / 1e9,
                lastWindowCompiledMs);
    }
}
