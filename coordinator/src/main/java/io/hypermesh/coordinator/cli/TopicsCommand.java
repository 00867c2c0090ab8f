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

    @CommandLine.Option(names = "--create", paramLabel = "TOPIC",
            description = "Create this topic of your own instead (repeatable), e.g. for values of a JSON Schema or Protobuf subject; "
                    + "an existing one is left as it is.")
    java.util.List<String> create = java.util.List.of();

    @CommandLine.Option(names = "--partitions", defaultValue = "1",
            description = "Partitions of the topics --create makes (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Override
    public Integer call() throws Exception {
        BusEndpoints bus = endpoints.resolve();
        PrintWriter out = spec.commandLine().getOut();
        if (!create.isEmpty()) {
            return createOwn(bus, out);
        }
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

    private int createOwn(BusEndpoints bus, PrintWriter out) throws Exception {
        try (Admin admin = Admin.create(endpoints.kafka(bus).clientConfig())) {
            java.util.Set<String> existing = admin.listTopics().names().get(30, java.util.concurrent.TimeUnit.SECONDS);
            for (String name : create) {
                if (existing.contains(name)) {
                    out.println("topic " + name + " exists; left as it is");
                    continue;
                }
                // The broker's default replication factor: 1 on the embedded broker, the cluster's own elsewhere.
                admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic(name,
                        java.util.Optional.of(partitions), java.util.Optional.empty()))).all().get(30,
                                java.util.concurrent.TimeUnit.SECONDS);
                out.println("created topic " + name + " with " + partitions + " partition(s) on " + bus.bootstrapServers());
            }
        }
        out.flush();
        return 0;
    }
}
