package io.hypermesh.coordinator.spec;

import java.time.Duration;

/**
 * Defaults a spec starts from. Development: short timeouts, optional components may degrade.
 * Performance: longer timeouts for heavier start-up. Production: as performance, for components
 * reached over TLS. Reliability: long timeouts and no degradation: every component is treated as
 * required. The bus settings of each are in {@code presets/<name>.properties}.
 */
public enum Preset {
    DEVELOPMENT(Duration.ofSeconds(30), Duration.ofSeconds(10), true),
    PERFORMANCE(Duration.ofSeconds(60), Duration.ofSeconds(20), true),
    PRODUCTION(Duration.ofSeconds(60), Duration.ofSeconds(20), true),
    RELIABILITY(Duration.ofSeconds(120), Duration.ofSeconds(30), false);

    public final Duration startTimeout;
    public final Duration stopTimeout;
    public final boolean allowsDegradation;

    Preset(Duration startTimeout, Duration stopTimeout, boolean allowsDegradation) {
        this.startTimeout = startTimeout;
        this.stopTimeout = stopTimeout;
        this.allowsDegradation = allowsDegradation;
    }
}
