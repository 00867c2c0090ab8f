package io.hypermesh.bench.nab;

import io.hypermesh.streams.anomaly.SeriesBaseline;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The series detector, in process, on the shared NAB corpus: the figure the bench's run through the
 * broker must reproduce. It guards the detector's quality against a change that loses it.
 */
class NabDetectorTest {
    static final Path SHARED = Path.of("../../shared/nab");

    @Test
    void scoresAtLeastCadOseOnTheSharedCorpus() {
        List<NabFile> files = NabCorpus.read(SHARED);
        List<double[]> scores = new ArrayList<>();
        for (NabFile file : files) {
            SeriesBaseline baseline = new SeriesBaseline();
            double[] s = new double[file.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = baseline.judge(file.values()[i], file.timestamps().get(i).toInstant(ZoneOffset.UTC).toEpochMilli()).score();
            }
            scores.add(s);
        }
        for (NabScorer.Profile profile : NabScorer.Profile.NAB) {
            System.out.println(NabScorer.score(files, scores, profile));
        }
        NabScorer.Result standard = NabScorer.score(files, scores, NabScorer.Profile.STANDARD);
        assertTrue(standard.score() >= 62.19, standard.toString());
    }
}
