package io.hypermesh.bench;

import io.hypermesh.bench.BenchReport;
import io.hypermesh.bench.BenchRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the bus against baselines run side by side (Kafka ProducerPerformance, raw producer, etcd, raw SHA-256) "
                + "on its own embedded broker, and write the report.")
public final class BenchCommand implements Callable<Integer> {
    /** {@code hypermesh bench}: bin/hypermesh runs this when the bench module is built beside the bus. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--scale", defaultValue = "standard", description = "tiny or standard (default: ${DEFAULT-VALUE}).")
    String scale;

    @Option(names = "--out", defaultValue = "BENCHMARKS.md", description = "Report file (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--etcd", defaultValue = "/usr/bin/etcd", description = "etcd binary for the discovery baseline (default: ${DEFAULT-VALUE}).")
    String etcd;

    @Option(names = "--only", split = ",", paramLabel = "N",
            description = "Run only these benchmarks (1 ingest, 2 fold, 3 latency, 4 discovery, 5 failure detection, 6 audit, 7 agent writes, 8 idle propagation), "
                    + "with the ones they take their baseline from.")
    java.util.Set<Integer> only;

    @Option(names = "--work-dir", description = "Where the broker, etcd and folds keep their data (default: a new temporary folder).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        Path work = workDir != null ? workDir : Files.createTempDirectory("hypermesh-bench-");
        BenchRunner runner = new BenchRunner(BenchRunner.Scale.named(scale), etcd, work, log);
        if (only != null) {
            runner.only(only);
        }
        BenchReport report = runner.run();
        String markdown = report.markdown();
        Files.writeString(out, markdown);
        log.println(markdown);
        log.println("written to " + out.toAbsolutePath());
        log.flush();
        return 0;
    }
}
