package io.hypermesh.bench;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark runner on a tiny load produces a well-formed report: every benchmark with a
 * measured figure, a baseline measured in the same run and their ratio. (It needs Debian's etcd.)
 */
class BenchIT {

    @Test
    void aTinyRunReportsEveryBenchmarkBesideItsBaseline() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "bench-");
        // The idle benchmark starts a real `up` with this checkout's launcher (the coordinator is packaged before this module).
        BenchReport report = new BenchRunner(BenchRunner.Scale.TINY, "/usr/bin/etcd", work, new PrintWriter(new StringWriter()))
                .launcher(Path.of("../bin/hypermesh")).run();
        List<String> benchmarks = report.rows().stream().map(BenchReport.Row::benchmark).distinct().toList();
        assertEquals(List.of("1. ingest", "2. fold (at_least_once)", "2. fold (exactly_once_v2)",
                "3. latency (at_least_once), 20% of the fold maximum",
                "3. latency (at_least_once)", "3. latency (exactly_once_v2), 20% of the fold maximum",
                "3. latency (exactly_once_v2)", "4. discovery, 1 client(s)", "4. discovery, 64 client(s)",
                "4. authorize, 1 client(s), load in its own process", "4. authorize, 64 client(s), load in its own process",
                "5. failure detection",
                "7. agent write (register, visible)", "7. KV put (answered once applied), 1 client, load in its own process",
                "8. idle propagation (at_least_once, HTTP register)",
                "8. idle propagation (at_least_once, plain produce)", "8. idle propagation (exactly_once_v2, HTTP register)",
                "8. idle propagation (exactly_once_v2, plain produce)", "6. audit", "9. idle"), benchmarks);
        for (BenchReport.Row row : report.rows()) {
            assertTrue(row.value() > 0 && Double.isFinite(row.value()), "measured: " + row);
            assertTrue(row.baselineValue() > 0 && Double.isFinite(row.baselineValue()), "baseline measured: " + row);
            assertEquals(row.value() / row.baselineValue(), row.ratio(), 1e-9, "ratio of the two: " + row);
        }
        assertTrue(report.rows().stream().anyMatch(r -> r.benchmark().equals("9. idle") && r.baseline().equals(IdleBench.FLOOR)),
                "idle beside its floor, the broker alone");
        String markdown = report.markdown();
        // Where the time went, beside the rows that may miss their targets.
        for (String evidence : List.of("fold (at_least_once), JFR over the measured runs: ",
                "fold (exactly_once_v2), the last measured run, from /proc: the machine's " + Runtime.getRuntime().availableProcessors()
                        + " cores were ",
                "the load generator's process ", "CPU per event: ", "latency (at_least_once), JFR over the ",
                        "GC stopped every thread ",
                "allocated about ", "idle propagation (at_least_once): ", "audit verify, cores per thread from /proc",
                "authorize at 1 client: p99.9 ", "the bus's JVM by thread: ", "KV put at 1 client: p99.9 ",
                "fold (at_least_once), the floor: ", "latency (exactly_once_v2) beside its floors", "idle `up`, by thread from /proc: ",
                "the broker alone (")) {
            assertTrue(markdown.contains(evidence), evidence + " in " + markdown);
        }
        assertTrue(markdown.contains(Runtime.getRuntime().availableProcessors() + " cores"), markdown);
        assertTrue(markdown.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| benchmark") && !l.startsWith("| ---")).count()
                == report.rows().size(), markdown);
    }

    @Test
    void aSubsetRunsWithTheBenchmarksItsBaselinesComeFrom() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "bench-");
        BenchRunner runner = new BenchRunner(BenchRunner.Scale.TINY, "/usr/bin/etcd", work, new PrintWriter(new StringWriter()));
        assertThrows(IllegalArgumentException.class, () -> runner.only(java.util.Set.of(10)));
        BenchReport report = runner.only(java.util.Set.of(6)).run();
        assertEquals(List.of("6. audit"), report.rows().stream().map(BenchReport.Row::benchmark).distinct().toList());
    }
}
