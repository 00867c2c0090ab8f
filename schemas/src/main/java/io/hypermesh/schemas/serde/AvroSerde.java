package io.hypermesh.schemas.serde;

import io.hypermesh.schemas.registry.client.RegistryClient;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Avro serde in the Confluent wire format, for Kafka Streams and plain clients. */
public final class AvroSerde {
    private AvroSerde() {
    }

    public static <T extends SpecificRecord> Serde<T> specific(Class<T> type, RegistryClient registry) {
        return Serdes.serdeFrom(new AvroSerializer<>(registry, true), new AvroDeserializer<>(registry, type));
    }

    public static Serde<GenericRecord> generic(RegistryClient registry) {
        return Serdes.serdeFrom(new AvroSerializer<>(registry, true), new AvroDeserializer<>(registry, null));
    }

    /** A serializer only, for producers of any Avro container. */
    public static <T extends GenericContainer> AvroSerializer<T> serializer(RegistryClient registry) {
        return new AvroSerializer<>(registry, true);
    }
}
