package io.hypermesh.bench;

import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The floor under the registry fold: the least Kafka Streams app that folds the same registrations
 * into one persistent key-value store, with the bus's own Streams settings (guarantee, commit
 * interval, no record cache, producer linger and acks, Avro serdes through the same registry).
 * What the bus takes beyond it is ours: the registry's checks, indexes and leases, the other folds,
 * the API. It tells each key it stored to a listener, which reads the key back as the bus's reads do.
 */
final class StreamsFloor implements AutoCloseable {
    static final String STORE = "floor-instances";

    private final KafkaStreams streams;

    private StreamsFloor(KafkaStreams streams) {
        this.streams = streams;
    }

    /** Starts the floor app with {@code settings}' Streams properties and waits until it runs. */
    static StreamsFloor start(StreamsSettings settings, RegistryClient registry, Consumer<String> stored) throws InterruptedException {
        BusSerdes serdes = new BusSerdes(registry);
        var events = serdes.of(RegistryEvent.class);
        Topology topology = new Topology();
        topology.addSource("events", Serdes.String().deserializer(), events.deserializer(), Topics.REGISTRY.name());
        topology.addProcessor("fold", () -> new Fold(stored), "events");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), events), "fold");
        KafkaStreams streams = new KafkaStreams(topology, settings.streamsProperties(registry));
        streams.start();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                streams.close(Duration.ofSeconds(10));
                throw new IllegalStateException("the floor's streams are not running after 2 minutes: " + streams.state());
            }
            Thread.sleep(50);
        }
        return new StreamsFloor(streams);
    }

    /** The stored registration of {@code key}, read from this instance's store as the bus's reads are; null when absent. */
    ServiceRegistered get(String key) {
        ReadOnlyKeyValueStore<String, RegistryEvent> store = streams.store(StoreQueryParameters.fromNameAndType(STORE,
                QueryableStoreTypes.<String, RegistryEvent>keyValueStore()));
        RegistryEvent event = store.get(key);
        return event != null && event.getPayload() instanceof ServiceRegistered r ? r : null;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        streams.cleanUp();
    }

    /** Registrations replace what the key held; nothing else is kept. */
    private static final class Fold implements Processor<String, RegistryEvent, Void, Void> {
        private final Consumer<String> stored;
        private KeyValueStore<String, RegistryEvent> store;

        Fold(Consumer<String> stored) {
            this.stored = stored;
        }

        @Override
        public void init(org.apache.kafka.streams.processor.api.ProcessorContext<Void, Void> context) {
            store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, RegistryEvent> record) {
            if (record.key() != null && record.value() != null && record.value().getPayload() instanceof ServiceRegistered) {
                store.put(record.key(), record.value());
                stored.accept(record.key());
            }
        }
    }
}
