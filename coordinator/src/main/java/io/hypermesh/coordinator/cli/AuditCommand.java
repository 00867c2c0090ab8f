package io.hypermesh.coordinator.cli;

import io.hypermesh.adapters.audit.AuditKeys;
import io.hypermesh.adapters.audit.AuditLog;
import io.hypermesh.coordinator.bus.BusEndpoints;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.topics.Topics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "audit", mixinStandardHelpOptions = true, description = "Verify and replay the adapters' tamper-evident audit trails.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Replay.class, AuditCommand.Keygen.class})
final class AuditCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * A bar on stderr, redrawn in place, the final state on its own line; nothing when stderr is
     * not a terminal (a log or a pipe would keep every redraw).
     */
    static AuditLog.Progress bar(PrintWriter err, String what) {
        return bar(err, what, System.console() != null);
    }

    static AuditLog.Progress bar(PrintWriter err, String what, boolean terminal) {
        if (!terminal) {
            return AuditLog.Progress.NONE;
        }
        return new AuditLog.Progress() {
            private long shown = -1;

            @Override
            public void at(long read, long total) {
                long percent = total == 0 ? 100 : read * 100 / total;
                if (percent == shown) {
                    return; // also keeps the final 100% from printing twice
                }
                shown = percent;
                int filled = (int) (percent / 5);
                err.printf("\r%s [%s%s] %3d%% %d/%d offsets", what, "#".repeat(filled), ".".repeat(20 - filled), percent, read, total);
                if (read >= total) {
                    err.println();
                }
                err.flush();
            }
        };
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Replay the audit topic and name, per adapter, the first offset where the chain, a checkpoint or a signature "
                    + "breaks."
                    + " Exit 0 when every trail is intact, 3 when one is not.")
    static final class Verify implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        EndpointOptions endpoints;

        @Option(names = "--topic", defaultValue = "hypermesh.audit", description = "Audit topic (default: ${DEFAULT-VALUE}).")
        String topic;

        @Option(names = "--trust", split = ",",
                description = "More public key files (.pub) whose checkpoint signatures are trusted, beside those in <data-dir>/keys.")
        List<Path> trusted = new java.util.ArrayList<>();

        @Option(names = "--adapter", split = ",", description = "Verify only these adapters' trails (default: all).")
        java.util.Set<String> adapters = new java.util.LinkedHashSet<>();

        @Option(names = "--expect", split = ",", description = "adapter=records known from an earlier run; fewer now is a truncation.")
        Map<String, Long> expected = new LinkedHashMap<>();

        @Option(names = "--seal-grace", defaultValue = "1m",
                description = "Records after an adapter's last checkpoint are a break once older than this (default: ${DEFAULT-VALUE}).")
        Duration sealGrace;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            BusEndpoints bus = endpoints.resolve();
            List<Path> keys = new java.util.ArrayList<>(AuditKeys.publicKeysIn(endpoints.dataDir.resolve("keys")));
            keys.addAll(trusted);
            if (keys.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no public key to trust: none in "
                        + endpoints.dataDir.resolve("keys") + " and no --trust given");
            }
            try (HttpRegistryClient registry = new HttpRegistryClient(bus.registryUrl(), endpoints.kafka(bus).tls())) {
                AuditLog.Report report = new AuditLog(endpoints.kafka(bus), registry, topic)
                        .verify(AuditKeys.trusted(keys), sealGrace, expected, adapters, bar(spec.commandLine().getErr(), "verify"));
                for (AuditLog.Trail t : report.trails()) {
                    out.printf("%s: %d records, %d under %d signed checkpoints%n", t.adapterId(), t.records(), t.signedRecords(),
                            t.checkpoints());
                }
                for (AuditLog.Break b : report.breaks()) {
                    out.println("BROKEN " + b);
                }
                out.println(report.intact() ? "intact: " + report.read() + " records read" : report.breaks().size() + " trail(s) broken");
                out.flush();
                return report.intact() ? 0 : 3;
            }
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Re-emit a range of the audit topic filtered by time, adapter, actor and action, as JSON lines or to a topic.")
    static final class Replay implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        EndpointOptions endpoints;

        @Option(names = "--topic", defaultValue = "hypermesh.audit", description = "Audit topic (default: ${DEFAULT-VALUE}).")
        String topic;

        @Option(names = "--from", description = "Earliest occurrence kept, ISO-8601 (2026-11-25T10:00:00Z).")
        Instant from;

        @Option(names = "--to", description = "Occurrences before this are kept, ISO-8601.")
        Instant to;

        @Option(names = "--adapter", description = "Only this adapter's trail.")
        String adapter;

        @Option(names = "--actor", description = "Only records of this actor.")
        String actor;

        @Option(names = "--action", description = "Only this action; a trailing * matches a prefix (container.*).")
        String action;

        @Option(names = "--to-topic", description = "Copy the records, unchanged, to this topic instead of printing JSON.")
        String toTopic;

        @Option(names = "--output", description = "Write JSON lines to this file instead of standard output.")
        Path output;

        @Override
        public Integer call() throws IOException {
            BusEndpoints bus = endpoints.resolve();
            AuditLog.Filter filter = new AuditLog.Filter(from, to, adapter, actor, action);
            PrintWriter err = spec.commandLine().getErr();
            try (HttpRegistryClient registry = new HttpRegistryClient(bus.registryUrl(), endpoints.kafka(bus).tls())) {
                AuditLog log = new AuditLog(endpoints.kafka(bus), registry, topic);
                long kept;
                if (toTopic != null) {
                    if (Topics.byName(toTopic).isPresent()) {
                        throw new IllegalArgumentException("refusing to replay into the bus's own topic " + toTopic);
                    }
                    kept = log.replayToTopic(filter, toTopic, bar(err, "replay"));
                } else if (output != null) {
                    try (PrintWriter file = new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
                        kept = log.replayAsJson(filter, file, bar(err, "replay"));
                    }
                } else {
                    kept = log.replayAsJson(filter, spec.commandLine().getOut(), AuditLog.Progress.NONE);
                }
                err.println(kept + " record(s) replayed" + (toTopic != null ? " to " + toTopic : output != null ? " to " + output : ""));
                err.flush();
                return 0;
            }
        }
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = "Create an adapter's checkpoint signing key (Ed25519) and its .pub beside it.")
    static final class Keygen implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Parameters(index = "0", description = "Private key file to create")
        Path file;

        @Override
        public Integer call() {
            if (Files.exists(file)) {
                throw new IllegalArgumentException(file + " exists; refusing to replace a signing key");
            }
            AuditKeys.loadOrCreate(file);
            spec.commandLine().getOut().println("key id " + AuditKeys.keyId(AuditKeys.trusted(List.of(AuditKeys.publicFileOf(file)))
                    .values().iterator().next()) + "; trust " + AuditKeys.publicFileOf(file));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
