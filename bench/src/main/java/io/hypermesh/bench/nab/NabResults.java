package io.hypermesh.bench.nab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;

/** A detector's scores in NAB's results layout: {@code <out>/<category>/hypermesh_<file>.csv}. */
public final class NabResults {
    public static final String DETECTOR = "hypermesh";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private NabResults() {
    }

    /** Writes {@code timestamp,value,anomaly_score,label} for every point of {@code file}; returns the file written. */
    public static Path write(Path out, NabFile file, double[] scores) {
        int slash = file.name().lastIndexOf('/');
        Path target = out.resolve(file.name().substring(0, slash)).resolve(DETECTOR + "_" + file.name().substring(slash + 1));
        try {
            Files.createDirectories(target.getParent());
            try (Writer w = Files.newBufferedWriter(target)) {
                w.write("timestamp,value,anomaly_score,label\n");
                for (int i = 0; i < file.size(); i++) {
                    w.write(TIMESTAMP.format(file.timestamps().get(i)) + "," + file.values()[i] + "," + scores[i] + "," + file.label(i)
                            + "\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
