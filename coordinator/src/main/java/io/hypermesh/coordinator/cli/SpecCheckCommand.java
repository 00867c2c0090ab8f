package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.spec.PlatformSpec;
import io.hypermesh.coordinator.spec.SpecException;
import io.hypermesh.coordinator.spec.SpecLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "spec-check", mixinStandardHelpOptions = true,
        description = "Validate a platform spec; print every problem as file:line:column: cause.")
final class SpecCheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "Platform spec (YAML)")
    Path file;

    @Override
    public Integer call() {
        try {
            PlatformSpec platform = SpecLoader.load(file, System.getenv());
            spec.commandLine().getOut().println(file + ": platform " + platform.platform() + ", " + platform.components().size()
                    + " components, preset " + platform.preset().name().toLowerCase());
            return 0;
        } catch (SpecException e) {
            e.problems().forEach(spec.commandLine().getErr()::println);
            spec.commandLine().getErr().flush();
            return 1;
        }
    }
}
