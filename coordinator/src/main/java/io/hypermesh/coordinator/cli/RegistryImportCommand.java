package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.registry.RegistryCopy;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Copy every live subject, version, id, schema type, reference and compatibility config from another "
                + "Confluent-compatible registry (or an export file) into this bus's registry (or an export file), keeping the ids. "
                + "Run it again after an interruption: what is already there is skipped.")
final class RegistryImportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    EndpointOptions endpoints;

    static final class Source {
        @Option(names = "--from", paramLabel = "URL", required = true, description = "The registry to copy from.")
        String url;

        @Option(names = "--from-file", paramLabel = "FILE", required = true, description = "An export file to copy from.")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--to-file", paramLabel = "FILE", description = "Write an export file instead of copying into a registry.")
    Path toFile;

    @Option(names = "--force", description = "Import into a registry that already holds subjects (their ids must not clash).")
    boolean force;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        RegistryCopy copy = new RegistryCopy();
        RegistryCopy.Snapshot snapshot = source.url != null ? copy.read(source.url) : RegistryCopy.load(source.file);
        String from = source.url != null ? source.url : source.file.toString();
        if (toFile != null) {
            RegistryCopy.save(snapshot, toFile);
            out.printf("exported %d schema versions and %d subject configs from %s to %s%n", snapshot.entries().size(),
                    snapshot.subjectLevels().size(), from, toFile);
        } else {
            String to = endpoints.resolve().registryUrl();
            RegistryCopy.Result result = copy.write(snapshot, to, force);
            out.printf("imported %d schema versions from %s into %s (%d already there), ids kept; %d compatibility configs%n",
                    result.copied(), from, to, result.alreadyThere(), result.configs());
        }
        out.flush();
        return 0;
    }
}
