package io.hypermesh.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = AnomalyCommand.class,
        description = "Benchmark the bus against baselines run side by side (Kafka ProducerPerformance, raw producer, etcd, raw SHA-256) "
                + "on its own embedded broker, and write the report.")
public final class BenchCommand implements Callable<Integer> {
    /** {@code hypermesh bench}: bin/hypermesh runs this when the bench module is built beside the bus. */
    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new BenchCommand());
        // Durations as everywhere else in hypermesh: Go's form (30m, 1h30m).
        cli.registerConverter(java.time.Duration.class, io.hypermesh.http.GoDuration::parse);
        System.exit(cli.execute(args));
    }

    private static final String SOAK_HEADING = "## Soak";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--scale", defaultValue = "standard", description = "tiny or standard (default: ${DEFAULT-VALUE}).")
    String scale;

    @Option(names = "--out", defaultValue = "BENCHMARKS.md", description = "Report file (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--etcd", defaultValue = "/usr/bin/etcd",
            description = "etcd binary for the discovery baseline (default: ${DEFAULT-VALUE}).")
    String etcd;

    @Option(names = "--only", split = ",", paramLabel = "N",
            description = "Run only these benchmarks (1 ingest, 2 fold, 3 latency, 4 discovery, 5 failure detection, 6 audit, 7 agent "
                    + "writes, 8 idle propagation, 9 idle `up`), "
                    + "with the ones they take their baseline from.")
    java.util.Set<Integer> only;

    @Option(names = "--fold-max", paramLabel = "EVENTS_PER_S",
            description = "Run only the latency benchmark (3.) at least once, taking this as the fold maximum instead of measuring it"
                    + " (2.): for trying a setting on latency alone.")
    Double foldMax;

    @Option(names = "--work-dir", description = "Where the broker, etcd and folds keep their data (default: a new temporary folder).")
    Path workDir;

    @Option(names = "--soak", paramLabel = "DURATION",
            description = "Instead of the benchmarks: the soak of issue 28 for this long, a Go duration such as 30m (a real `up` beside "
                    + "hostile clients), "
                    + "its section replacing the report's soak section.")
    java.time.Duration soak;

    @Option(names = "--hypermesh", defaultValue = "bin/hypermesh",
            description = "The launcher the soak and the idle benchmark start `up` with (default: ${DEFAULT-VALUE}).")
    Path launcher;

    /** Where the sections after the generated table and its notes start in a report, -1 when it has none. */
    static int keptSections(String report) {
        java.util.regex.Matcher heading = java.util.regex.Pattern.compile("(?m)^## (?!Notes$)").matcher(report);
        return heading.find() ? heading.start() : -1;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        Path work = workDir != null ? workDir : Files.createTempDirectory("hypermesh-bench-");
        if (soak != null) {
            String section = new SoakBench(launcher.toAbsolutePath(), work, soak, log).run();
            String previous = Files.exists(out) ? Files.readString(out) : "";
            int at = previous.indexOf(SOAK_HEADING);
            Files.writeString(out, (at < 0 ? previous : previous.substring(0, at)).stripTrailing() + "\n\n" + section);
            log.println(section);
            log.flush();
            return 0;
        }
        BenchRunner runner = new BenchRunner(BenchRunner.Scale.named(scale), etcd, work, log);
        runner.launcher(launcher);
        if (only != null) {
            runner.only(only);
        }
        if (foldMax != null) {
            runner.latencyOnly(foldMax);
        }
        BenchReport report = runner.run();
        String markdown = report.markdown();
        String previous = Files.exists(out) ? Files.readString(out) : "";
        int kept = keptSections(previous);
        // The soak (30 minutes, on its own) and the sections written by hand after a run of one benchmark stay until replaced.
        Files.writeString(out, kept < 0 ? markdown : markdown.stripTrailing() + "\n\n" + previous.substring(kept));
        log.println(markdown);
        log.println("written to " + out.toAbsolutePath());
        log.flush();
        return 0;
    }
}
