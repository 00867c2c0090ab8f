package io.hypermesh.coordinator.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecCheckCommandTest {

    record Run(int exit, String out, String err) {
    }

    static Run run(Path file) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Hypermesh.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute("spec-check", file.toString()), out.toString(), err.toString());
    }

    @Test
    void aBadSpecPrintsEveryProblemWithFileLineAndColumn(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("platform.yaml");
        Files.writeString(spec, "platform: p\ncomponents:\n  a: {phase: 1, after: [b]}\n  b: {phase: 1, after: [a], ports: [0]}\n");
        Run r = run(spec);
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(spec + ":4:37: port of 'b' must be an integer 1..65535; got '0'"), r.err());
        assertTrue(r.err().contains(spec + ":3:3: dependency cycle: a -> b -> a"), r.err());
    }

    @Test
    void aGoodSpecIsSummarised(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("ok.yaml");
        Files.writeString(spec, "platform: p\npreset: reliability\ncomponents:\n  a: {phase: 1}\n");
        Run r = run(spec);
        assertEquals(0, r.exit(), r.err());
        assertEquals(spec + ": platform p, 1 components, preset reliability", r.out().trim());
    }
}
