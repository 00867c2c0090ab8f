package io.hypermesh.streams;

import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.AvroSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Avro serdes in the registry wire format, one per type, sharing one registry client. */
public final class BusSerdes {
    private final RegistryClient registry;
    private final Map<Class<?>, Serde<?>> serdes = new ConcurrentHashMap<>();

    public BusSerdes(RegistryClient registry) {
        this.registry = registry;
    }

    @SuppressWarnings("unchecked")
    public <T extends SpecificRecord> Serde<T> of(Class<T> type) {
        return (Serde<T>) serdes.computeIfAbsent(type, t -> AvroSerde.specific(type, registry));
    }

    public RegistryClient registry() {
        return registry;
    }
}
