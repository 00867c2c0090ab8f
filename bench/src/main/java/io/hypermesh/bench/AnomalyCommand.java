package io.hypermesh.bench;

import io.hypermesh.bench.nab.NabCorpus;
import io.hypermesh.bench.nab.NabFile;
import io.hypermesh.bench.nab.NabResults;
import io.hypermesh.bench.nab.NabScorer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "anomaly", mixinStandardHelpOptions = true,
        description = "Replay a folder in NAB's layout through the broker and the anomaly fold, write NAB's results layout "
                + "(OUT/<category>/hypermesh_<file>.csv) and score it with NAB's three profiles.")
final class AnomalyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--nab", required = true, paramLabel = "DIR", description = "A folder with data/<category>/<file>.csv and, "
            + "optionally, labels/combined_windows.json.")
    Path nab;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "Where the results layout is written.")
    Path out;

    @Option(names = "--work-dir", description = "Where the broker and folds keep their data (default: a new temporary folder).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        List<NabFile> files = NabCorpus.read(nab);
        if (files.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), nab + "/data holds no <category>/<file>.csv");
        }
        long points = files.stream().mapToLong(NabFile::size).sum();
        log.printf("%d files, %,d points, %d windows; %d cores%n", files.size(), points,
                files.stream().mapToInt(f -> f.windows().size()).sum(), Runtime.getRuntime().availableProcessors());
        log.flush();
        Path work = workDir != null ? workDir : Files.createTempDirectory("hypermesh-anomaly-");
        AnomalyBench.Run run = new AnomalyBench(work, log).run(nab.toAbsolutePath(), files);
        for (int i = 0; i < files.size(); i++) {
            NabResults.write(out, files.get(i), run.scores().get(i));
        }
        for (NabScorer.Profile profile : NabScorer.Profile.NAB) {
            NabScorer.Result result = NabScorer.score(files, run.scores(), profile);
            log.printf("%-20s %6.2f  (threshold %.2f, %d of %d windows detected, %d false positives)%n", profile.name(), result.score(),
                    result.threshold(), result.detected(), result.windows(), result.falsePositives());
        }
        log.printf("points/s end to end: %,.0f through the bus, %,.0f through a raw producer (%.2fx)%n", run.busPointsPerSecond(),
                run.rawPointsPerSecond(), run.busPointsPerSecond() / run.rawPointsPerSecond());
        log.println("results: " + out.toAbsolutePath());
        log.flush();
        return 0;
    }
}
