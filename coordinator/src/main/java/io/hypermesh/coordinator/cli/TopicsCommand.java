package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.bus.BusEndpoints;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create the bus's catalog topics that are missing and bring the settings of existing ones to the catalog's "
                + "(as `hypermesh up` does), as a principal allowed to; on a secured cluster the parts of the bus are not.")
final class TopicsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    EndpointOptions endpoints;

    @Override
    public Integer call() {
        BusEndpoints bus = endpoints.resolve();
        PrintWriter out = spec.commandLine().getOut();
        TopicAdmin.Report report;
        try (Admin admin = Admin.create(endpoints.kafka(bus).clientConfig())) {
            report = TopicAdmin.ensure(admin, Topics.ALL);
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("the catalog topics were not created on " + bus.bootstrapServers() + ": " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
        out.println("topics on " + bus.bootstrapServers() + ": " + report.summary(Topics.ALL.size()));
        report.warnings().forEach(w -> out.println("warning: " + w));
        out.flush();
        return 0;
    }
}
