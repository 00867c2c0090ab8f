package io.hypermesh.bench.nab;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * NAB's scorer, by the rules in {@code shared/nab/README.md} (nab/sweeper.py and nab/optimizer.py):
 * point weights from a scaled sigmoid of the position in or after a window, the probation period
 * left out, the earliest detection in a window counting, one threshold for the whole corpus per
 * profile (the best among every distinct score, or none), and the total normalised between a
 * detector that never fires (0) and a perfect one (100).
 */
public final class NabScorer {
    private NabScorer() {
    }

    /** A cost profile: what a detected window, a missed one and a false positive weigh. */
    public record Profile(String name, double tp, double fn, double fp) {
        public static final Profile STANDARD = new Profile("standard", 1.0, 1.0, 0.11);
        public static final Profile LOW_FP = new Profile("reward_low_FP_rate", 1.0, 1.0, 0.22);
        public static final Profile LOW_FN = new Profile("reward_low_FN_rate", 1.0, 2.0, 0.11);
        public static final List<Profile> NAB = List.of(STANDARD, LOW_FP, LOW_FN);
    }

    /**
     * A corpus scored under one profile.
     *
     * @param threshold the best threshold, or {@link Double#POSITIVE_INFINITY} when firing never pays
     */
    public record Result(Profile profile, double score, double threshold, double total, int windows, int detected, int falsePositives) {
    }

    /** NAB's scaled sigmoid: 1 far before, 0 at, -1 from 3 after (y > 3). */
    static double sigma(double y) {
        return y > 3.0 ? -1.0 : 2.0 / (1.0 + Math.exp(5.0 * y)) - 1.0;
    }

    /** A scored point: its detector score, what detecting it is worth before the profile's weights, and its window (-1: none). */
    private record Point(double score, double unweighted, int window) {
    }

    /** @param scores each file's anomaly scores, point by point, in the files' order */
    public static Result score(List<NabFile> files, List<double[]> scores, Profile profile) {
        if (files.size() != scores.size()) {
            throw new IllegalArgumentException(files.size() + " files but " + scores.size() + " score lists");
        }
        Point[] points = points(files, scores);
        int windows = countedWindows(files);
        double none = -profile.fn() * windows;
        double[] windowValue = new double[Math.max(1, totalWindows(files))];
        Arrays.fill(windowValue, -profile.fn());
        Integer[] order = new Integer[points.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> points[i].score()).reversed());
        double total = none;
        double best = none;
        double threshold = Double.POSITIVE_INFINITY;
        for (int k = 0; k < order.length; ) {
            double current = points[order[k]].score();
            // Every point at this score counts as a detection from this threshold down.
            for (; k < order.length && points[order[k]].score() == current; k++) {
                Point p = points[order[k]];
                if (p.window() >= 0) {
                    double worth = profile.tp() * p.unweighted() / sigma(-1.0);
                    if (worth > windowValue[p.window()]) {
                        total += worth - windowValue[p.window()];
                        windowValue[p.window()] = worth;
                    }
                } else {
                    total += profile.fp() * p.unweighted();
                }
            }
            if (total > best) {
                best = total;
                threshold = current;
            }
        }
        double perfect = profile.tp() * windows;
        double normalised = perfect == none ? 0 : 100.0 * (best - none) / (perfect - none);
        int detected = 0;
        boolean[] hit = new boolean[windowValue.length];
        int falsePositives = 0;
        for (Point p : points) {
            if (p.score() >= threshold) {
                if (p.window() >= 0) {
                    hit[p.window()] = true;
                } else {
                    falsePositives++;
                }
            }
        }
        for (boolean h : hit) {
            detected += h ? 1 : 0;
        }
        return new Result(profile, normalised, threshold, best, windows, detected, falsePositives);
    }

    /** Every point after each file's probation, with what detecting it is worth. */
    private static Point[] points(List<NabFile> files, List<double[]> scores) {
        int count = 0;
        for (NabFile f : files) {
            count += f.size() - f.probation();
        }
        Point[] points = new Point[count];
        int n = 0;
        int windowBase = 0;
        for (int fi = 0; fi < files.size(); fi++) {
            NabFile f = files.get(fi);
            double[] s = scores.get(fi);
            if (s.length != f.size()) {
                throw new IllegalArgumentException(f.name() + ": " + s.length + " scores for " + f.size() + " points");
            }
            NabFile.Window previous = null;
            int w = 0;
            for (int i = 0; i < f.size(); i++) {
                while (w < f.windows().size() && f.windows().get(w).last() < i) {
                    previous = f.windows().get(w);
                    w++;
                }
                NabFile.Window current = w < f.windows().size() && f.windows().get(w).contains(i) ? f.windows().get(w) : null;
                if (i < f.probation()) {
                    continue;
                }
                if (s[i] < 0 || s[i] > 1 || Double.isNaN(s[i])) {
                    throw new IllegalArgumentException(f.name() + ": score " + s[i] + " at point " + i + " is not in [0, 1]");
                }
                double unweighted;
                if (current != null) {
                    unweighted = sigma(-(current.last() - i + 1) / (double) current.width());
                } else if (previous == null) {
                    unweighted = -1.0;
                } else {
                    unweighted = previous.width() == 1 ? -1.0 : sigma(Math.abs(previous.last() - i) / (double) (previous.width() - 1));
                }
                points[n++] = new Point(s[i], unweighted, current == null ? -1 : windowBase + w);
            }
            windowBase += f.windows().size();
        }
        return points;
    }

    /** The windows that hold a scored point (one wholly inside the probation period is not scored). */
    private static int countedWindows(List<NabFile> files) {
        int counted = 0;
        for (NabFile f : files) {
            for (NabFile.Window w : f.windows()) {
                counted += w.last() >= f.probation() ? 1 : 0;
            }
        }
        return counted;
    }

    private static int totalWindows(List<NabFile> files) {
        return files.stream().mapToInt(f -> f.windows().size()).sum();
    }
}
