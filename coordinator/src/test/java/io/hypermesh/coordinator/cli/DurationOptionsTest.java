package io.hypermesh.coordinator.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The command line reads durations as the spec file and the API do: Go's form. */
class DurationOptionsTest {
    private static CoordinateCommand coordinate(String... args) {
        CommandLine.ParseResult parsed = Hypermesh.commandLine().parseArgs(args);
        return (CoordinateCommand) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void electionTimeoutTakesGoDurations() {
        assertEquals(Duration.ofMillis(500), coordinate("coordinate", "--spec", "x.yaml", "--election-timeout", "500ms").electionTimeout);
        assertEquals(Duration.ofMinutes(90), coordinate("coordinate", "--spec", "x.yaml", "--election-timeout", "1h30m").electionTimeout);
        assertEquals(Duration.ofMinutes(10), coordinate("coordinate", "--spec", "x.yaml").electionTimeout);
    }

    @Test
    void aDurationWithoutAUnitIsRefusedAsGoRefusesIt() {
        assertThrows(CommandLine.ParameterException.class,
                () -> coordinate("coordinate", "--spec", "x.yaml", "--election-timeout", "10"));
    }
}
