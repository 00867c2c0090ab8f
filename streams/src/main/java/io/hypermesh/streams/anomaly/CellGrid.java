package io.hypermesh.streams.anomaly;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What one series did on one grid of cells (one width, one offset): which cell followed which,
 * and which cells it visited in which slot of the day. Cells are numbered from the grid's first
 * cell, so they stay small: a grid lives only while its width is at least a sixth of the range.
 */
final class CellGrid {
    private static final int NONE = Integer.MIN_VALUE;

    private long anchor;
    private int previous = NONE;
    private int[] steps = new int[0];
    private int stepCount;
    private int[] seasons = new int[0];
    private int seasonCount;
    /** Set when a step or a slot's cell is learned: only then must the learned part be written again. */
    boolean learned;

    CellGrid(long firstCell) {
        this.anchor = firstCell;
    }

    /**
     * Learns {@code cell} at {@code slot}: bit 1 of the answer is set when the step from the previous cell is new, bit 2 when
     * the cell is new in its slot.
     */
    int observe(long cell, int slot) {
        int relative = (int) (cell - anchor);
        int novelty = 0;
        if (previous == NONE || add(pack(previous, relative), true)) {
            novelty |= 1;
            learned |= previous != NONE;
        }
        if (add(pack(slot, relative), false)) {
            learned = true;
            novelty |= 2;
        }
        previous = relative;
        return novelty;
    }

    /** The lowest and highest cell seen right after the current one, or null when none has been. */
    long[] nextCells() {
        if (previous == NONE) {
            return null;
        }
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (int i = 0; i < stepCount; i++) {
            if ((steps[i] >> 16) == (short) previous) {
                long next = anchor + (short) steps[i];
                lo = Math.min(lo, next);
                hi = Math.max(hi, next);
            }
        }
        return lo > hi ? null : new long[] {lo, hi};
    }

    int steps() {
        return stepCount;
    }

    private static int pack(int high, int low) {
        return (high << 16) | (low & 0xFFFF);
    }

    /** Adds to the sorted set; true when it was not there. */
    private boolean add(int key, boolean step) {
        int[] keys = step ? steps : seasons;
        int count = step ? stepCount : seasonCount;
        int at = Arrays.binarySearch(keys, 0, count, key);
        if (at >= 0) {
            return false;
        }
        at = -at - 1;
        if (count == keys.length) {
            keys = Arrays.copyOf(keys, Math.max(8, count * 2));
        }
        System.arraycopy(keys, at, keys, at + 1, count - at);
        keys[at] = key;
        if (step) {
            steps = keys;
            stepCount++;
        } else {
            seasons = keys;
            seasonCount++;
        }
        return true;
    }

    /** The cell it was last in: the one part that changes at every point, kept apart from what it learned. */
    int previous() {
        return previous;
    }

    void previous(int cell) {
        previous = cell;
    }

    int encodedSize() {
        return 8 + 4 + 4 * stepCount + 4 + 4 * seasonCount;
    }

    void encode(ByteBuffer out) {
        out.putLong(anchor).putInt(stepCount);
        for (int i = 0; i < stepCount; i++) {
            out.putInt(steps[i]);
        }
        out.putInt(seasonCount);
        for (int i = 0; i < seasonCount; i++) {
            out.putInt(seasons[i]);
        }
    }

    static CellGrid decode(ByteBuffer in) {
        CellGrid grid = new CellGrid(in.getLong());
        grid.stepCount = in.getInt();
        grid.steps = new int[grid.stepCount];
        for (int i = 0; i < grid.stepCount; i++) {
            grid.steps[i] = in.getInt();
        }
        grid.seasonCount = in.getInt();
        grid.seasons = new int[grid.seasonCount];
        for (int i = 0; i < grid.seasonCount; i++) {
            grid.seasons[i] = in.getInt();
        }
        return grid;
    }
}
