package io.hypermesh.coordinator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `hypermesh` command line. */
@Command(name = "hypermesh", mixinStandardHelpOptions = true, version = "hypermesh 0.1.0",
        description = "HyperMesh Bus: Avro events on Kafka, folded into registry, health and lifecycle state.",
        subcommands = {UpCommand.class, RegistryCommand.class, TopicsCommand.class, AclsCommand.class, PublishCommand.class,
                TailCommand.class, CoordinateCommand.class, StatusCommand.class, FoldsCommand.class, AuditCommand.class,
                AdapterCommand.class, PkiCommand.class,
                SpecCheckCommand.class, CommandLine.HelpCommand.class})
public final class Hypermesh implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests run it in-process with their own writers. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Hypermesh());
        // Every duration option reads Go's form (500ms, 30s, 1h30m), as the spec file and the API do.
        cli.registerConverter(java.time.Duration.class, io.hypermesh.http.GoDuration::parse);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // Operator mistakes and unreachable systems get one clear line, not a stack trace.
            commandLine.getErr().println("error: " + messageOf(e));
            commandLine.getErr().flush();
            return 1;
        });
        return cli;
    }

    static String messageOf(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
