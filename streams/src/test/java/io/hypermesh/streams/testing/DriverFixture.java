package io.hypermesh.streams.testing;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.deadletter.DeadLetterEvent;
import io.hypermesh.schemas.testing.InMemoryRegistryClient;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.StreamsSettings;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

import io.hypermesh.events.Endpoint;
import io.hypermesh.state.ServiceInstance;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.time.Instant;
import java.util.UUID;
import java.util.function.BiFunction;

/** A TopologyTestDriver over an in-memory registry, with typed topics. */
public final class DriverFixture implements AutoCloseable {
    public static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    public final StreamsSettings settings;
    public final BusSerdes serdes;
    public final TopologyTestDriver driver;

    public DriverFixture(BiFunction<StreamsSettings, BusSerdes, Topology> topology, Path stateDir) {
        this(topology, settings(stateDir));
    }

    public DriverFixture(BiFunction<StreamsSettings, BusSerdes, Topology> topology, StreamsSettings settings) {
        this(topology, settings, java.util.Map.of());
    }

    /** @param extra Streams properties put over the settings' (objects included, as the app passes its metrics) */
    public DriverFixture(BiFunction<StreamsSettings, BusSerdes, Topology> topology, StreamsSettings settings, java.util.Map<String,
            Object> extra) {
        InMemoryRegistryClient registry = new InMemoryRegistryClient();
        this.settings = settings;
        this.serdes = new BusSerdes(registry);
        java.util.Properties properties = settings.streamsProperties(registry);
        properties.putAll(extra);
        this.driver = new TopologyTestDriver(topology.apply(settings, serdes), properties, T0);
    }

    public static StreamsSettings settings(Path stateDir) {
        return StreamsSettings.defaults(io.hypermesh.schemas.kafka.KafkaAccess.to("unused:9092"), "mem://" + UUID.randomUUID(),
                stateDir, 0);
    }

    public <V extends SpecificRecord> TestInputTopic<String, V> input(String topic, Class<V> type) {
        return driver.createInputTopic(topic, Serdes.String().serializer(), serdes.of(type).serializer());
    }

    public <V extends SpecificRecord> TestOutputTopic<String, V> output(String topic, Class<V> type) {
        return driver.createOutputTopic(topic, Serdes.String().deserializer(), serdes.of(type).deserializer());
    }

    public TestInputTopic<byte[], byte[]> rawInput(String topic) {
        return driver.createInputTopic(topic, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    }

    public TestOutputTopic<String, DeadLetterEvent> deadLetters() {
        return output(Topics.DEAD_LETTERS.name(), DeadLetterEvent.class);
    }

    public static EventSource source(String id) {
        return new EventSource(id, ComponentKind.SERVICE);
    }

    @Override
    public void close() {
        driver.close();
    }

    /** A registered instance of {@code service} at {@link #T0}, as the registry fold holds it. */
    public static ServiceInstance instance(String id, String service) {
        io.hypermesh.schemas.serde.AvroTrust.install(); // builders of generated classes check it, with or without a driver
        return ServiceInstance.newBuilder().setInstanceId(id).setServiceName(service).setEndpoint(new Endpoint("10.0.0.1", 80, "tcp"))
                .setTags(List.of()).setWeightPassing(1).setWeightWarning(1).setMetadata(Map.of()).setTtlMs(10_000)
                .setRegisteredAt(T0).setLastHeartbeatAt(T0).setHealthComponentId(id).build();
    }
}
