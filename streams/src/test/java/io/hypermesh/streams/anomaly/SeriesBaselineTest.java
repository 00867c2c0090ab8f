package io.hypermesh.streams.anomaly;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeriesBaselineTest {
    static final long START = 1_700_000_000_000L;
    static final long STEP = Duration.ofMinutes(5).toMillis();

    /** A latency around 10 ms with a daily swing and noise; from {@code stepAt} it triples. */
    static double latency(int i, int stepAt, SplittableRandom noise) {
        return latency(i, stepAt, noise, 2);
    }

    static double latency(int i, int stepAt, SplittableRandom noise, double swing) {
        double daily = swing * Math.sin(2 * Math.PI * i * STEP / Duration.ofDays(1).toMillis());
        double base = 10 + daily + noise.nextDouble(-0.5, 0.5);
        return i >= stepAt ? base * 3 : base;
    }

    static List<Integer> alarms(double swing, int stepAt, int seed) {
        SplittableRandom noise = new SplittableRandom(seed);
        SeriesBaseline baseline = new SeriesBaseline();
        List<Integer> alarms = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            Judgement j = baseline.judge(latency(i, stepAt, noise, swing), START + i * STEP);
            assertTrue(j.score() >= 0 && j.score() <= 1 && j.surprise() >= j.score(), j.toString());
            // The first three days teach the range's edges and every slot's cells (NAB leaves its first 15% unscored).
            if (i >= 3 * 288 && j.score() >= 0.8) {
                alarms.add(i);
            }
        }
        return alarms;
    }

    @Test
    void aStepIsOneAlarmAtItsFirstPointAndNotAStorm() {
        assertEquals(List.of(3_000), alarms(0, 3_000, 7));
        assertEquals(List.of(), alarms(0, Integer.MAX_VALUE, 7));
    }

    @Test
    void aStepOnADailySwingIsCaughtAtItsFirstPointWithoutAStorm() {
        List<Integer> alarms = alarms(2, 3_000, 7);
        assertTrue(alarms.contains(3_000), alarms.toString());
        // Nothing in the rest period after it; then the tripled swing visits cells its slots never saw: a few more alarms
        // while the new days are learned, out of 3,136 points judged.
        assertTrue(alarms.stream().noneMatch(i -> i > 3_000 && i <= 3_000 + SeriesBaseline.REST), alarms.toString());
        assertTrue(alarms.size() <= 5, alarms.toString());
    }

    @Test
    void aChangeOfScaleIsReportedEvenInTheRestOfAnEarlierSurprise() {
        SeriesBaseline baseline = new SeriesBaseline();
        SplittableRandom noise = new SplittableRandom(1);
        for (int i = 0; i < 1_000; i++) {
            baseline.judge(10 + noise.nextDouble(-0.5, 0.5), START + i * 1_000L);
        }
        // The highest surprise there is (a new extreme at the coarsest width), then within its rest a level ten times higher.
        Judgement edge = baseline.judge(11.5, START + 1_000_000L);
        assertEquals(1.0, edge.score(), edge.toString());
        Judgement small = baseline.judge(10.2, START + 1_001_000L);
        assertEquals(0.0, small.score(), "resting: " + small);
        Judgement step = baseline.judge(30, START + 1_002_000L);
        assertEquals(1.0, step.score(), "a range twice as wide at one point is no rest: " + step);
    }

    @Test
    void theBandIsWhereTheSeriesUsuallyGoesNext() {
        SplittableRandom noise = new SplittableRandom(3);
        SeriesBaseline baseline = new SeriesBaseline();
        Judgement last = null;
        for (int i = 0; i < 2_000; i++) {
            last = baseline.judge(latency(i, Integer.MAX_VALUE, noise), START + i * STEP);
        }
        assertTrue(last.expectedLow() <= 12.5 && last.expectedHigh() >= 7.5 && last.expectedHigh() - last.expectedLow() < 3 * last.range(),
                last.toString());
    }

    @Test
    void aBaselineReadBackJudgesExactlyAsTheOneThatKeptRunning() {
        SplittableRandom noise = new SplittableRandom(11);
        SeriesBaseline running = new SeriesBaseline();
        byte[] cells = running.encodeCells();
        SeriesBaseline restored = null;
        for (int i = 0; i < 5_000; i++) {
            double value = latency(i, 4_000, noise);
            Judgement kept = running.judge(value, START + i * STEP);
            if (restored != null) {
                assertEquals(kept, restored.judge(value, START + i * STEP), "point " + i);
            }
            if (running.cellsChanged()) {
                cells = running.encodeCells();
            }
            if (i == 2_500) {
                restored = SeriesBaseline.decode(running.encodeHead(), cells);
                assertEquals(running, restored);
            }
        }
        assertArrayEquals(running.encodeHead(), restored.encodeHead());
    }

    @Test
    void memoryStaysBoundedWhateverTheSeriesDoes() {
        SplittableRandom random = new SplittableRandom(5);
        SeriesBaseline baseline = new SeriesBaseline();
        int headSize = baseline.encodeHead().length;
        int largest = 0;
        for (int i = 0; i < 1_000_000; i++) {
            // Noise over ever wider ranges, jumps of every size, a trend: the worst a series can do to the grids.
            double value = random.nextDouble() * (1 + i / 1000.0) + (i % 9_973 == 0 ? 1e6 * random.nextDouble() : 0) + i * 0.01;
            baseline.judge(value, START + i * 1_000L);
            if (i % 10_000 == 0) {
                largest = Math.max(largest, baseline.encodeCells().length);
            }
        }
        assertEquals(headSize, baseline.encodeHead().length);
        // 7 levels x 4 grids, each at most ~8 cells wide: 64 steps and 12 x 8 slot cells of 4 bytes each.
        assertTrue(largest < SeriesBaseline.KEPT * SeriesBaseline.OFFSETS * (13 + 4 * (64 + 96)), "cells took " + largest + " bytes");
    }

    @Test
    void aNumberThatIsNotFiniteIsRefused() {
        SeriesBaseline baseline = new SeriesBaseline();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> baseline.judge(Double.NaN, START));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
        assertEquals(0, baseline.points());
    }

    @Test
    void theReferenceWidthIsTheLargestHalfOctaveWithinAQuarterOfTheRange() {
        assertEquals(2, SeriesBaseline.referenceOf(8));
        assertEquals(4, SeriesBaseline.referenceOf(16));
        assertEquals(4, SeriesBaseline.referenceOf(16 * 1.4142));
        assertEquals(5, SeriesBaseline.referenceOf(16 * 1.4143));
        assertEquals(-4, SeriesBaseline.referenceOf(1));
    }
}
