package io.hypermesh.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench anomaly} on a folder in NAB's layout made here: two files of another shape than the
 * shared corpus (one minute apart, one with a labelled step, one without labels), through a real broker and the folds.
 */
class AnomalyCommandIT {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    static void csv(Path file, int points, int stepAt) throws Exception {
        SplittableRandom noise = new SplittableRandom(3);
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        LocalDateTime t = LocalDateTime.of(2021, 3, 1, 0, 0);
        for (int i = 0; i < points; i++) {
            double value = (i >= stepAt ? 80 : 40) + noise.nextDouble(-3, 3);
            csv.append(TIME.format(t.plusMinutes(i))).append(',').append(value).append('\n');
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, csv.toString());
    }

    @Test
    void anyFolderInNabsLayoutIsReplayedThroughTheBusScoredAndWrittenInNabsResultsLayout() throws Exception {
        Path nab = Files.createTempDirectory(Path.of("target"), "nab-");
        csv(nab.resolve("data/service/latency.csv"), 1_000, 700);
        csv(nab.resolve("data/other/queue_depth.csv"), 600, Integer.MAX_VALUE);
        Files.createDirectories(nab.resolve("labels"));
        LocalDateTime t0 = LocalDateTime.of(2021, 3, 1, 0, 0);
        Files.writeString(nab.resolve("labels/combined_windows.json"), "{\"service/latency.csv\": [[\"" + TIME.format(t0.plusMinutes(690))
                + ".000000\", \"" + TIME.format(t0.plusMinutes(720)) + ".000000\"]]}");
        Path out = Files.createTempDirectory(Path.of("target"), "nab-out-");
        StringWriter printed = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(printed));
        int exit = cli.execute("anomaly", "--nab=" + nab, "--out=" + out, "--work-dir=" + Files.createTempDirectory(Path.of("target"),
                "nab-work-"));
        assertEquals(0, exit, printed.toString());
        List<String> latency = Files.readAllLines(out.resolve("service/hypermesh_latency.csv"));
        assertEquals("timestamp,value,anomaly_score,label", latency.get(0));
        assertEquals(1_001, latency.size());
        // The step is scored 1 at its first point, inside its window (label 1).
        String[] step = latency.get(701).split(",");
        assertEquals(TIME.format(t0.plusMinutes(700)), step[0]);
        assertEquals("1.0", step[2]);
        assertEquals("1", step[3]);
        List<String> queue = Files.readAllLines(out.resolve("other/hypermesh_queue_depth.csv"));
        assertEquals(601, queue.size());
        assertTrue(queue.stream().skip(1).allMatch(l -> l.endsWith(",0")), "no labels: label 0 everywhere");
        String text = printed.toString();
        for (String line : List.of("2 files, 1,600 points, 1 windows", "standard ", "reward_low_FP_rate ", "reward_low_FN_rate ",
                "through the bus", "through a raw producer")) {
            assertTrue(text.contains(line), line + " in " + text);
        }
        assertTrue(text.contains("1 of 1 windows detected"), text);
    }
}
