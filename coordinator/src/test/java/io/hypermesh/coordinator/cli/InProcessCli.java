package io.hypermesh.coordinator.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs `hypermesh` in this JVM with its own writers: the exit code and what it printed. */
record InProcessCli(int exit, String out, String err) {
    static InProcessCli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Hypermesh.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new InProcessCli(exit, out.toString(), err.toString());
    }
}
