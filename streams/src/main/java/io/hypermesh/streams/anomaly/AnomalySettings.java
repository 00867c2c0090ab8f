package io.hypermesh.streams.anomaly;

import java.time.Duration;

/**
 * When the series detector opens and clears an anomaly.
 *
 * @param openAt     the score at or above which a series' anomaly opens: 0.8 is the threshold NAB's standard profile
 *                   chooses for this detector, one width below the coarsest
 * @param clearAfter points in a row whose surprise stays under {@code openAt} before an open anomaly clears
 * @param learnPoints points a series is only learned, never alarmed on: everything is new to a series that just began
 *                    (NAB does not score a file's first 15% either, up to 750 points)
 * @param learnFor    or this long in event time, if it has at least {@link #LEAST_POINTS} points by then: a series of
 *                    rare events (a container's restarts, a cluster's elections) has few points, and a day of them is
 *                    what it usually does
 * @param healthWeight points an open anomaly takes off the health score of its series' component (the series' {@code component}
 *                    label, else the component that sent its samples); 0 for none
 * @param workloadLearnFor how long a workload's behaviours are learned from its first event, in event time, before a new one
 *                    is an anomaly (StackRox's process baselines observe for an hour too)
 */
public record AnomalySettings(double openAt, int clearAfter, int learnPoints, Duration learnFor, double healthWeight,
                              Duration workloadLearnFor) {
    public static final int LEAST_POINTS = 100;
    public static final AnomalySettings DEFAULTS = new AnomalySettings(0.8, 12, 300, Duration.ofDays(1), 20, Duration.ofHours(1));

    /** The same with another weight of an open anomaly in its component's health score. */
    public AnomalySettings withHealthWeight(double weight) {
        return new AnomalySettings(openAt, clearAfter, learnPoints, learnFor, weight, workloadLearnFor);
    }

    /** The same with another learning period for workload baselines. */
    public AnomalySettings withWorkloadLearnFor(Duration period) {
        return new AnomalySettings(openAt, clearAfter, learnPoints, learnFor, healthWeight, period);
    }

    /** Whether a series with {@code points} over {@code spanMillis} of event time has learned enough to alarm on. */
    public boolean learned(long points, long spanMillis) {
        return points > learnPoints || (points > LEAST_POINTS && spanMillis >= learnFor.toMillis());
    }

    public AnomalySettings {
        if (!(openAt > 0 && openAt <= 1)) {
            throw new IllegalArgumentException("the score that opens an anomaly must be in (0, 1], was " + openAt);
        }
        if (clearAfter < 1) {
            throw new IllegalArgumentException("an anomaly clears after at least 1 calm point, was " + clearAfter);
        }
        if (!(healthWeight >= 0 && healthWeight <= 100)) {
            throw new IllegalArgumentException("an anomaly's weight in a health score is 0..100 points, was " + healthWeight);
        }
        if (workloadLearnFor == null || workloadLearnFor.isNegative()) {
            throw new IllegalArgumentException("a workload learns for a duration of 0 or more, was " + workloadLearnFor);
        }
        if (learnFor == null || learnFor.isNegative()) {
            throw new IllegalArgumentException("a series learns for a duration of 0 or more, was " + learnFor);
        }
        if (learnPoints < 0) {
            throw new IllegalArgumentException("a series learns for 0 points or more, was " + learnPoints);
        }
    }
}
