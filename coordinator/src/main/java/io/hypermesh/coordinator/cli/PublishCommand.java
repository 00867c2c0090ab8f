package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.bus.JsonEventPublisher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish one event written as JSON to a topic.",
                "A catalog topic takes a whole envelope or just its payload; any other topic takes a value for the latest schema "
                        + "of <topic>-value, whether Avro, JSON Schema or Protobuf (protobuf's JSON mapping)."})
final class PublishCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    EndpointOptions endpoints;

    @Parameters(index = "0", description = "Topic, e.g. hypermesh.registry")
    String topic;

    @Parameters(index = "1", description = "The event as JSON")
    String json;

    @Option(names = "--key", description = "Record key; by default the payload's entity id (instanceId, componentId, ...).")
    String key;

    @Option(names = "--message", description = "For a Protobuf topic, the message type to write (default: the file's first).")
    String message;

    @Override
    public Integer call() throws Exception {
        io.hypermesh.coordinator.bus.BusEndpoints bus = endpoints.resolve();
        try (JsonEventPublisher publisher = new JsonEventPublisher(endpoints.kafka(bus), bus.registryUrl())) {
            JsonEventPublisher.Published p = publisher.publish(topic, json, key, message);
            spec.commandLine().getOut().println("published " + (p.eventId() == null ? "" : p.eventId() + " ") + "to "
                    + p.topic() + "/" + p.partition() + "@" + p.offset() + " key=" + p.key());
            return 0;
        }
    }
}
