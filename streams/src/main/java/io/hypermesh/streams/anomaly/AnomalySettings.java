package io.hypermesh.streams.anomaly;

/**
 * When the series detector opens and clears an anomaly.
 *
 * @param openAt     the score at or above which a series' anomaly opens: 0.8 is the threshold NAB's standard profile
 *                   chooses for this detector, one width below the coarsest
 * @param clearAfter points in a row whose surprise stays under {@code openAt} before an open anomaly clears
 * @param learnPoints points a series is only learned, never alarmed on: everything is new to a series that just began
 *                    (NAB does not score a file's first 15% either, up to 750 points)
 */
public record AnomalySettings(double openAt, int clearAfter, int learnPoints) {
    public static final AnomalySettings DEFAULTS = new AnomalySettings(0.8, 12, 300);

    public AnomalySettings {
        if (!(openAt > 0 && openAt <= 1)) {
            throw new IllegalArgumentException("the score that opens an anomaly must be in (0, 1], was " + openAt);
        }
        if (clearAfter < 1) {
            throw new IllegalArgumentException("an anomaly clears after at least 1 calm point, was " + clearAfter);
        }
        if (learnPoints < 0) {
            throw new IllegalArgumentException("a series learns for 0 points or more, was " + learnPoints);
        }
    }
}
