package io.hypermesh.coordinator.cli;

import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Option;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/** Where `up` logs: to files under its data dir, and to the console only when asked. */
final class LogOptions {
    private static final java.util.List<String> LEVELS = java.util.List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "The bus's own log level (TRACE, DEBUG, INFO, WARN, ERROR; default INFO), and show the log at that level "
                    + "on the console too.")
    String level;

    @Option(names = {"-v", "--verbose"}, description = "Show the log on the console too, and every schema id registered.")
    boolean verbose;

    /** True when the console shows the log (and the details that come with it). */
    boolean verbose() {
        return verbose || level != null;
    }

    /** Sends the log to {@code <dataDir>/logs/}, rolling; the console gets it only when asked. */
    void toFilesUnder(Path dataDir) {
        String own = level == null ? "INFO" : level.toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(own)) {
            throw new IllegalArgumentException("--log-level must be one of " + LEVELS + ", was '" + level + "'");
        }
        System.setProperty("hypermesh.log.dir", dataDir.resolve("logs").toAbsolutePath().toString());
        System.setProperty("hypermesh.log.level", own);
        System.setProperty("hypermesh.log.console", verbose() ? own : "OFF");
        try {
            Configurator.reconfigure(LogOptions.class.getResource("/log4j2-up.xml").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
