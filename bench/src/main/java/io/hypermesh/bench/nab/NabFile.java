package io.hypermesh.bench.nab;

import java.time.LocalDateTime;
import java.util.List;

/**
 * One file of a NAB corpus: its points in time order and its labelled windows, as inclusive
 * index ranges into the points.
 *
 * @param name {@code <category>/<file>.csv}, as NAB's labels name it
 */
public record NabFile(String name, List<LocalDateTime> timestamps, double[] values, List<Window> windows) {
    public NabFile {
        if (timestamps.size() != values.length) {
            throw new IllegalArgumentException(name + ": " + timestamps.size() + " timestamps for " + values.length + " values");
        }
        timestamps = List.copyOf(timestamps);
        windows = List.copyOf(windows);
    }

    /** A labelled anomaly window: the points {@code first..last}, both included. */
    public record Window(int first, int last) {
        public Window {
            if (first < 0 || last < first) {
                throw new IllegalArgumentException("a window runs from a point to the same or a later one, was " + first + ".." + last);
            }
        }

        public int width() {
            return last - first + 1;
        }

        public boolean contains(int i) {
            return i >= first && i <= last;
        }
    }

    public int size() {
        return values.length;
    }

    /** 1 inside a window, 0 elsewhere: the {@code label} column of NAB's results layout. */
    public int label(int i) {
        for (Window w : windows) {
            if (w.contains(i)) {
                return 1;
            }
        }
        return 0;
    }

    /** The first points NAB does not score: {@code min(floor(0.15 N), 750)}. */
    public int probation() {
        return Math.min((int) Math.floor(0.15 * values.length), 750);
    }
}
