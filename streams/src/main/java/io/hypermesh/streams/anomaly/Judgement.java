package io.hypermesh.streams.anomaly;

/**
 * How the detector judged one point.
 *
 * @param score      anomaly score in [0, 1]: 0 unless the point is new at a coarser width than anything in the last rest period
 * @param surprise   the same before that rest-period rule, in [0, 1]
 * @param novelty    what was new: "step" (a cell never seen right after the previous one), "season" (a cell never seen in
 *                   this slot of the day) or "none"
 * @param width      the width of the cells at which it was new (0 when nothing was)
 * @param expectedLow  the band the detector expected the point in: the cells seen after the previous one at the alert width
 * @param expectedHigh the band's top
 * @param range      max minus min of the series so far
 */
public record Judgement(double score, double surprise, String novelty, double width, double expectedLow, double expectedHigh,
                        double range) {
}
