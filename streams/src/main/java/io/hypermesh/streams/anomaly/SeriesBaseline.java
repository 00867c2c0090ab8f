package io.hypermesh.streams.anomaly;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

/**
 * What one series looks like so far, and the judge of its next point. One parameter set for
 * every series, nothing from the future, only event time.
 *
 * <p>How it judges: the values seen so far span a range. The detector lays grids of cells over
 * the value axis, at widths from about a quarter of that range up (each level {@code sqrt(2)}
 * wider, four grids per level shifted by a quarter cell). On each grid it remembers which cell
 * followed which (level and spread: the usual moves) and which cells the series visits in each
 * two-hour slot of the UTC day (seasonality). A point is surprising at a width when it makes a
 * step never made before, or visits a cell never visited in its slot (after two days of history, and
 * {@value #SEASON_POINTS} points in the slot);
 * its surprise is how coarse the coarsest such width is. A surprise is reported as the score only
 * if it is higher than every surprise of the previous {@value #REST} points, so one change is one
 * alarm rather than a storm.
 */
public final class SeriesBaseline {
    static final int OFFSETS = 4;
    /** Levels that score: the reference width and four coarser ones. */
    static final int SCORED = 5;
    /** Levels remembered: two more than score, so a wider range finds its coarser grids already learned. */
    static final int KEPT = 7;
    /** Points after a surprise during which only a higher surprise is reported. */
    static final int REST = 150;
    /** ... unless the surprise is older than this in event time: a series of rare events rests a day, not 150 of them. */
    static final long REST_FOR_MS = Duration.ofDays(1).toMillis();
    static final int SLOTS = 12;
    static final long SEASONS_AFTER_MS = Duration.ofDays(2).toMillis();
    /** ... and once the slot has seen this many points (two hours of 5-minute points a day, for a day and more). */
    static final int SEASON_POINTS = 24;
    /** The level whose cells give the expected band: the width that alerts by default. */
    static final int BAND_LEVEL = 3;
    private static final int UNSET = Integer.MIN_VALUE;
    private static final byte VERSION = 1;

    private long points;
    private long firstAt;
    private double min;
    private double max;
    private int reference = UNSET;
    private CellGrid[] grids = new CellGrid[KEPT * OFFSETS];
    /** The point and time of the latest surprise of each size (index 1..{@value #SCORED}); point 0 for none. */
    private final long[] surprisePoint = new long[SCORED + 1];
    private final long[] surpriseAt = new long[SCORED + 1];
    private final int[] slotPoints = new int[SLOTS];
    /** Set when grids were created or dropped: the learned part must be written again. */
    private boolean cellsMoved;

    /** Judges the next point of the series, then learns it. */
    public Judgement judge(double value, long atMillis) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("a sample must be a finite number, was " + value);
        }
        if (points++ == 0) {
            firstAt = atMillis;
            min = value;
            max = value;
        }
        double[] band = expectedBand();
        min = Math.min(min, value);
        max = Math.max(max, value);
        double range = max - min;
        int slot = slotOf(atMillis);
        boolean seasons = atMillis - firstAt >= SEASONS_AFTER_MS && slotPoints[slot] >= SEASON_POINTS;
        slotPoints[slot] = Math.min(Integer.MAX_VALUE - 1, slotPoints[slot] + 1);
        int surprise = 0;
        boolean rescaled = false;
        String novelty = "none";
        double width = 0;
        if (range > 0) {
            int before = reference;
            rescale(referenceOf(range));
            // A range at least twice as wide at one point is a change of scale no rest period hides.
            rescaled = before != UNSET && reference - before >= 2;
            for (int level = 0; level < KEPT; level++) {
                double w = widthOf(reference + level);
                int novel = 0;
                for (int offset = 0; offset < OFFSETS; offset++) {
                    long cell = cellOf(value, w, offset);
                    int at = level * OFFSETS + offset;
                    if (grids[at] == null) {
                        grids[at] = new CellGrid(cell);
                        cellsMoved = true;
                    }
                    novel |= grids[at].observe(cell, slot);
                }
                if (level < SCORED && (novel & 1) != 0 && level + 1 > surprise) {
                    surprise = level + 1;
                    novelty = "step";
                    width = w;
                } else if (level < SCORED && seasons && (novel & 2) != 0 && level > surprise) {
                    surprise = level;
                    novelty = "season";
                    width = w;
                }
            }
        }
        int reported = surprise > 0 && (rescaled || !resting(surprise, atMillis)) ? surprise : 0;
        if (surprise > 0) {
            surprisePoint[surprise] = points;
            surpriseAt[surprise] = atMillis;
        }
        return new Judgement(reported / (double) SCORED, surprise / (double) SCORED, novelty, width, band[0], band[1], range);
    }

    /** Whether a surprise as large or larger came within the last {@value #REST} points and {@link #REST_FOR_MS}. */
    private boolean resting(int surprise, long atMillis) {
        for (int size = surprise; size <= SCORED; size++) {
            if (surprisePoint[size] > 0 && surprisePoint[size] >= points - REST && atMillis - surpriseAt[size] < REST_FOR_MS) {
                return true;
            }
        }
        return false;
    }

    public long points() {
        return points;
    }

    /** When the first point was, in event time. */
    public long firstAt() {
        return firstAt;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /** Cells remembered over every grid: what the baseline costs, bounded by the levels and offsets. */
    public int cells() {
        int n = 0;
        for (CellGrid grid : grids) {
            n += grid == null ? 0 : grid.steps();
        }
        return n;
    }

    /** The cells seen right after the current one at the band level, as values; the whole range when none are known. */
    private double[] expectedBand() {
        if (points <= 1 || reference == UNSET) {
            return new double[] {min, max};
        }
        CellGrid grid = grids[BAND_LEVEL * OFFSETS];
        long[] next = grid == null ? null : grid.nextCells();
        if (next == null) {
            return new double[] {min, max};
        }
        double w = widthOf(reference + BAND_LEVEL);
        return new double[] {next[0] * w, (next[1] + 1) * w};
    }

    /** Moves to a coarser reference level: finer grids are dropped, coarser ones are kept under their new level number. */
    private void rescale(int level) {
        if (reference == UNSET) {
            reference = level;
            return;
        }
        int shift = level - reference;
        if (shift <= 0) {
            return;
        }
        CellGrid[] kept = new CellGrid[KEPT * OFFSETS];
        for (int l = shift; l < KEPT; l++) {
            System.arraycopy(grids, l * OFFSETS, kept, (l - shift) * OFFSETS, OFFSETS);
        }
        grids = kept;
        reference = level;
        cellsMoved = true;
    }

    /** The level whose width is about a quarter of the range: the largest {@code l} with {@code 2^(l/2) <= range / 4}. */
    static int referenceOf(double range) {
        double quarter = range / 4;
        int level = (int) StrictMath.floor(2 * StrictMath.log(quarter) / StrictMath.log(2));
        // The logarithm may land one ulp off at exact powers: settle on the exact comparison.
        while (widthOf(level + 1) <= quarter) {
            level++;
        }
        while (widthOf(level) > quarter) {
            level--;
        }
        return level;
    }

    static double widthOf(int level) {
        return StrictMath.pow(2, level / 2.0);
    }

    static long cellOf(double value, double width, int offset) {
        return (long) StrictMath.floor(value / width + offset / (double) OFFSETS);
    }

    static int slotOf(long atMillis) {
        long dayMillis = Duration.ofDays(1).toMillis();
        return (int) (Math.floorMod(atMillis, dayMillis) * SLOTS / dayMillis);
    }

    /** True when something was learned since the last {@link #encodeCells()}: the cells must be written again. */
    public boolean cellsChanged() {
        for (CellGrid grid : grids) {
            if (grid != null && grid.learned) {
                return true;
            }
        }
        return cellsMoved;
    }

    /** What changes at every point: counts, range, rest period, the cell each grid is in. A few hundred bytes. */
    public byte[] encodeHead() {
        ByteBuffer out = ByteBuffer.allocate(1 + 8 * 4 + 4 + 16 * (SCORED + 1) + 4 * SLOTS + 4 * KEPT * OFFSETS);
        out.put(VERSION).putLong(points).putLong(firstAt).putDouble(min).putDouble(max).putInt(reference);
        for (int size = 0; size <= SCORED; size++) {
            out.putLong(surprisePoint[size]).putLong(surpriseAt[size]);
        }
        for (int n : slotPoints) {
            out.putInt(n);
        }
        for (CellGrid grid : grids) {
            out.putInt(grid == null ? Integer.MIN_VALUE : grid.previous());
        }
        return out.array();
    }

    /** What was learned: every grid's steps and slots. Written only when {@link #cellsChanged()}, which it resets. */
    public byte[] encodeCells() {
        byte[] cells = cellBytes();
        for (CellGrid grid : grids) {
            if (grid != null) {
                grid.learned = false;
            }
        }
        cellsMoved = false;
        return cells;
    }

    private byte[] cellBytes() {
        int size = 1 + KEPT * OFFSETS;
        for (CellGrid grid : grids) {
            size += grid == null ? 0 : grid.encodedSize();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(VERSION);
        for (CellGrid grid : grids) {
            out.put((byte) (grid == null ? 0 : 1));
            if (grid != null) {
                grid.encode(out);
            }
        }
        return out.array();
    }

    /** @param cells null when nothing was learned yet (a series that has not moved) */
    public static SeriesBaseline decode(byte[] head, byte[] cells) {
        SeriesBaseline baseline = new SeriesBaseline();
        if (cells != null) {
            ByteBuffer in = ByteBuffer.wrap(cells);
            version(in.get());
            for (int i = 0; i < baseline.grids.length; i++) {
                baseline.grids[i] = in.get() == 0 ? null : CellGrid.decode(in);
            }
        }
        ByteBuffer in = ByteBuffer.wrap(head);
        version(in.get());
        baseline.points = in.getLong();
        baseline.firstAt = in.getLong();
        baseline.min = in.getDouble();
        baseline.max = in.getDouble();
        baseline.reference = in.getInt();
        for (int size = 0; size <= SCORED; size++) {
            baseline.surprisePoint[size] = in.getLong();
            baseline.surpriseAt[size] = in.getLong();
        }
        for (int i = 0; i < SLOTS; i++) {
            baseline.slotPoints[i] = in.getInt();
        }
        for (CellGrid grid : baseline.grids) {
            int previous = in.getInt();
            if (grid != null) {
                grid.previous(previous);
            }
        }
        return baseline;
    }

    private static void version(byte version) {
        if (version != VERSION) {
            throw new IllegalStateException("series baseline of version " + version + "; this build reads " + VERSION);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SeriesBaseline that && Arrays.equals(encodeHead(), that.encodeHead())
                && Arrays.equals(cellBytes(), that.cellBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encodeHead());
    }
}
