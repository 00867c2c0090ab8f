package io.hypermesh.bench.nab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scorer on cases worked out by hand: one file of 100 points (15 in probation) with one
 * window, points 40..49 (width 10). Under the standard profile a never-firing detector totals
 * -1 and a perfect one +1, so a total T normalises to 50 (T + 1).
 */
class NabScorerTest {
    static final NabScorer.Profile STANDARD = NabScorer.Profile.STANDARD;

    static NabFile file() {
        List<LocalDateTime> times = new ArrayList<>();
        double[] values = new double[100];
        for (int i = 0; i < 100; i++) {
            times.add(LocalDateTime.of(2026, 1, 1, 0, 0).plusMinutes(5L * i));
        }
        return new NabFile("cat/one.csv", times, values, List.of(new NabFile.Window(40, 49)));
    }

    static double[] firingAt(int... points) {
        double[] scores = new double[100];
        for (int p : points) {
            scores[p] = 1.0;
        }
        return scores;
    }

    static NabScorer.Result standard(double[] scores) {
        return NabScorer.score(List.of(file()), List.of(scores), STANDARD);
    }

    @Test
    void aPerfectDetectorScores100AndOneThatNeverFires0() {
        assertEquals(15, file().probation(), "min(floor(0.15 * 100), 750)");
        NabScorer.Result perfect = standard(firingAt(40));
        assertEquals(100.0, perfect.score(), 1e-9);
        assertEquals(1, perfect.detected());
        assertEquals(0, perfect.falsePositives());
        NabScorer.Result never = standard(new double[100]);
        assertEquals(0.0, never.score(), 1e-9, "at threshold 0 every point fires: one window won, 84 false positives lost");
        assertEquals(Double.POSITIVE_INFINITY, never.threshold(), "so the best is not to fire at all");
        for (NabScorer.Profile p : NabScorer.Profile.NAB) {
            assertEquals(100.0, NabScorer.score(List.of(file()), List.of(firingAt(40)), p).score(), 1e-9, p.name());
            assertEquals(0.0, NabScorer.score(List.of(file()), List.of(new double[100]), p).score(), 1e-9, p.name());
        }
    }

    @Test
    void anEarlyDetectionBeatsALateOne() {
        // At the window's last point: y = -(49 - 49 + 1) / 10 = -0.1, sigma(-0.1) = 2 / (1 + e^-0.5) - 1 = 0.244919,
        // sigma(-1) = 2 / (1 + e^-5) - 1 = 0.986614, so the window is worth 0.248244 and the total normalises to 62.41.
        assertEquals(62.41, standard(firingAt(49)).score(), 0.01);
        // Half way (point 45): y = -0.5, sigma = 2 / (1 + e^-2.5) - 1 = 0.848284, worth 0.859796: 92.99.
        assertEquals(92.99, standard(firingAt(45)).score(), 0.01);
        assertTrue(standard(firingAt(40)).score() > standard(firingAt(45)).score());
        // A later detection in the same window adds nothing: only the earliest counts.
        assertEquals(100.0, standard(firingAt(40, 49)).score(), 1e-9);
    }

    @Test
    void aFalsePositiveRightAfterAWindowCostsLessThanOneFarFromIt() {
        // Point 50: y = |49 - 50| / (10 - 1) = 0.1111, sigma = 2 / (1 + e^0.5556) - 1 = -0.270860, times 0.11: -0.029795,
        // total 0.970205, normalised 98.51. Point 99: y = 50 / 9 > 3, sigma -1: -0.11, total 0.89, normalised 94.5.
        NabScorer.Result near = standard(firingAt(40, 50));
        NabScorer.Result far = standard(firingAt(40, 99));
        assertEquals(98.51, near.score(), 0.01);
        assertEquals(94.50, far.score(), 0.01);
        assertEquals(1, near.falsePositives());
        // Before any window a false positive costs the full A_FP, as far away does.
        assertEquals(94.50, standard(firingAt(20, 40)).score(), 0.01);
        // In the probation period nothing counts.
        assertEquals(100.0, standard(firingAt(10, 40)).score(), 1e-9);
    }

    @Test
    void theThresholdIsChosenOnceForTheCorpusAmongTheScoresGiven() {
        double[] scores = new double[100];
        scores[40] = 0.9; // the window, caught at 0.9
        scores[70] = 0.5; // a false positive below it
        NabScorer.Result r = standard(scores);
        assertEquals(0.9, r.threshold());
        assertEquals(100.0, r.score(), 1e-9);
        scores[70] = 0.95; // now above: firing at 0.9 pays 1 - 0.11 = 0.89 (94.5), better than not firing (-1)
        assertEquals(94.50, standard(scores).score(), 0.01);
    }

    @Test
    void theSharedCorpusReadsAsNabsLayoutAndScoresItsBounds(@TempDir Path out) throws Exception {
        Path nab = Path.of("..", "..", "shared", "nab");
        assertTrue(Files.isDirectory(nab.resolve("data")), "the NAB corpus is expected beside the repository, at " + nab.toAbsolutePath());
        List<NabFile> files = NabCorpus.read(nab);
        assertEquals(35, files.size());
        assertEquals(55, files.stream().mapToInt(f -> f.windows().size()).sum());
        // 181,687 lines in all (the figure), less 35 headers, plus one last line without a newline.
        assertEquals(181_653, files.stream().mapToInt(NabFile::size).sum());
        List<double[]> perfect = new ArrayList<>();
        List<double[]> never = new ArrayList<>();
        for (NabFile f : files) {
            double[] p = new double[f.size()];
            f.windows().forEach(w -> p[w.first()] = 1.0);
            perfect.add(p);
            never.add(new double[f.size()]);
        }
        for (NabScorer.Profile profile : NabScorer.Profile.NAB) {
            assertEquals(100.0, NabScorer.score(files, perfect, profile).score(), 1e-9, profile.name());
            assertEquals(0.0, NabScorer.score(files, never, profile).score(), 1e-9, profile.name());
        }
        NabFile first = files.stream().filter(f -> !f.windows().isEmpty()).findFirst().orElseThrow();
        Path written = NabResults.write(out, first, perfect.get(files.indexOf(first)));
        List<String> lines = Files.readAllLines(written);
        assertEquals("timestamp,value,anomaly_score,label", lines.get(0));
        assertEquals(first.size() + 1, lines.size());
        assertTrue(written.toString().endsWith(first.name().replace("/", "/hypermesh_")), written.toString());
        assertEquals(first.windows().get(0).width(), lines.stream().skip(1).filter(l -> l.endsWith(",1")).count());
    }
}
