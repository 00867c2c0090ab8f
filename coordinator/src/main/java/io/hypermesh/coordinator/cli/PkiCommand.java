package io.hypermesh.coordinator.cli;

import io.hypermesh.schemas.kafka.PkiDirectory;
import io.hypermesh.platform.pki.Pki;
import io.hypermesh.schemas.topics.BusAcls;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "pki", mixinStandardHelpOptions = true, description = "The bus's own certificate authority and component certificates.",
        subcommands = {PkiCommand.Init.class})
final class PkiCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The bus's own parts, each with its own principal. */
    static final List<String> COMPONENTS = BusAcls.PRINCIPALS;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create the CA (once) and a PKCS12 store for each component that has none: <dir>/<name>.p12 with "
                    + "<dir>/<name>.password, and <dir>/truststore.p12 holding the CA. Run again to add components; the CA is kept.")
    static final class Init implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--dir", defaultValue = "data/pki", description = "Where the CA and the stores live (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--component", split = ",", paramLabel = "NAME",
                description = "Components to issue certificates for (default: the bus's own parts).")
        List<String> components;

        @Option(names = "--host", split = ",", defaultValue = "localhost,127.0.0.1",
                description = "Host names and addresses every certificate is valid for (default: ${DEFAULT-VALUE}).")
        List<String> hosts;

        @Option(names = "--days", defaultValue = "365",
                description = "Validity of component certificates; the CA's is twice that (default: ${DEFAULT-VALUE}).")
        int days;

        @Option(names = "--renew", description = "Issue new certificates for components that already have one.")
        boolean renew;

        @Override
        public Integer call() {
            if (days < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--days must be at least 1, was " + days);
            }
            Pki.Report report = Pki.init(dir, components == null ? COMPONENTS : components, hosts, Duration.ofDays(days), renew);
            var out = spec.commandLine().getOut();
            out.println((report.caCreated() ? "created the CA in " : "kept the CA in ") + dir.toAbsolutePath());
            report.issued().forEach(c -> out.println("issued  " + c + "  " + PkiDirectory.storeOf(dir, c) + "  (principal User:" + c
                    + ", client settings " + Pki.clientPropertiesOf(dir, c) + ")"));
            report.kept().forEach(c -> out.println("kept    " + c + "  " + PkiDirectory.storeOf(dir, c)));
            out.println("trust   " + PkiDirectory.storeOf(dir, Pki.TRUSTSTORE) + "; Kafka principal mapping: "
                    + Pki.PRINCIPAL_MAPPING_RULE);
            out.flush();
            return 0;
        }
    }
}
