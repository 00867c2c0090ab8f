package io.hypermesh.schemas.serde;

import io.hypermesh.events.EventSource;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.schemas.testing.InMemoryRegistryClient;
import io.hypermesh.schemas.testing.SampleEvents;
import io.hypermesh.schemas.topics.Topics;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wire-format round trips for every event type, and the errors undecodable bytes give. */
class AvroSerdeTest {
    final InMemoryRegistryClient registry = new InMemoryRegistryClient();
    final AvroSerializer<GenericRecord> genericWriter = new AvroSerializer<>(registry, true);
    final AvroDeserializer<GenericRecord> genericReader = new AvroDeserializer<>(registry, null);

    @Test
    void everyEventTypeRoundTripsThroughGenericAndGeneratedClasses() {
        int checked = 0;
        for (SampleEvents.Sample sample : SampleEvents.all()) {
            String topic = sample.topic().name();
            byte[] bytes = genericWriter.serialize(topic, sample.envelope());
            assertEquals(WireFormat.MAGIC_BYTE, bytes[0]);
            int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            assertEquals(registry.idOf(sample.topic().valueSubject(), sample.topic().valueSchema()), id,
                    "header carries the id registered under <topic>-value");
            assertEquals(sample.envelope(), genericReader.deserialize(topic, bytes), sample.payloadType());

            @SuppressWarnings("unchecked")
            Class<? extends SpecificRecord> type = (Class<? extends SpecificRecord>) sample.topic().valueType();
            SpecificRecord typed = new AvroDeserializer<SpecificRecord>(registry, type).deserialize(topic, bytes);
            assertEquals(type, typed.getClass());
            byte[] again = new AvroSerializer<SpecificRecord>(registry, false).serialize(topic, typed);
            assertArrayEquals(bytes, again, "generated class writes the same bytes for " + sample.payloadType());
            checked++;
        }
        int payloadTypes = Topics.EVENT_TOPICS.stream()
                .mapToInt(t -> t.valueSchema().getField("payload").schema().getTypes().size()).sum();
        assertEquals(payloadTypes, checked, "every payload type of every topic");
    }

    @Test
    void generatedClassesMapTimestampsToInstants() {
        RegistryEvent event = RegistryEvent.newBuilder().setEventId("e1")
                .setSource(new EventSource("node-1", ComponentKind.TRANSPORT))
                .setOccurredAt(Instant.ofEpochMilli(1_764_000_000_000L))
                .setPayload(new ServiceHeartbeat("i-1", "api")).build();
        var serde = AvroSerde.specific(RegistryEvent.class, registry);
        RegistryEvent read = serde.deserializer().deserialize(Topics.REGISTRY.name(),
                serde.serializer().serialize(Topics.REGISTRY.name(), event));
        assertEquals(event, read);
        assertEquals(Instant.ofEpochMilli(1_764_000_000_000L), read.getOccurredAt());
    }

    @Test
    void olderWriterSchemaIsResolvedToTheGeneratedClass() {
        Schema current = SpecificData.get().getSchema(RegistryEvent.class);
        // An older producer whose envelope lacked traceId (it has a default in the current schema).
        Schema older = new Schema.Parser().parse(current.toString().replace(
                "{\"name\":\"traceId\",\"type\":[\"null\",\"string\"],\"default\":null},", ""));
        GenericRecord old = new GenericData.Record(older);
        old.put("eventId", "e2");
        GenericRecord source = new GenericData.Record(older.getField("source").schema());
        source.put("componentId", "c");
        source.put("kind", new GenericData.EnumSymbol(source.getSchema().getField("kind").schema(), "SERVICE"));
        old.put("source", source);
        old.put("occurredAt", 5L);
        GenericRecord hb = new GenericData.Record(older.getField("payload").schema().getTypes().get(1));
        hb.put("instanceId", "i-9");
        hb.put("serviceName", null);
        old.put("payload", hb);
        byte[] bytes = new AvroSerializer<GenericRecord>(registry, true).serialize("legacy", old);
        RegistryEvent read = new AvroDeserializer<RegistryEvent>(registry, RegistryEvent.class).deserialize("legacy", bytes);
        assertEquals(null, read.getTraceId());
        assertEquals("i-9", ((ServiceHeartbeat) read.getPayload()).getInstanceId());
    }

    @Test
    void bytesNotInTheWireFormatAreNamed() {
        SerializationException json = assertThrows(SerializationException.class,
                () -> genericReader.deserialize("t1", "{\"a\":1}".getBytes()));
        assertTrue(json.getMessage().contains("t1") && json.getMessage().contains("0x7b"), json.getMessage());

        SerializationException shortOne = assertThrows(SerializationException.class,
                () -> genericReader.deserialize("t2", new byte[]{0, 0}));
        assertTrue(shortOne.getMessage().contains("too short"), shortOne.getMessage());
    }

    @Test
    void unknownSchemaIdIsNamed() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> genericReader.deserialize("t3", new byte[]{0, 0, 0, 0x30, 0x39, 2, 3}));
        assertTrue(e.getMessage().contains("schema id 12345") && e.getMessage().contains("40403"), e.getMessage());
    }

    @Test
    void truncatedOrPaddedBodiesAreNamed() {
        SampleEvents.Sample sample = SampleEvents.all().get(0);
        byte[] good = genericWriter.serialize("t4", sample.envelope());
        SerializationException truncated = assertThrows(SerializationException.class,
                () -> genericReader.deserialize("t4", Arrays.copyOf(good, good.length - 3)));
        assertTrue(truncated.getMessage().contains("does not decode") && truncated.getMessage().contains("t4"), truncated.getMessage());
        assertThrows(SerializationException.class, () -> genericReader.deserialize("t4", Arrays.copyOf(good, good.length + 2)));
    }

    @Test
    void aSchemaTheRegistryRefusesIsAClearSerializationError() {
        SampleEvents.Sample sample = SampleEvents.all().get(0);
        genericWriter.serialize("t5", sample.envelope());
        GenericRecord other = (GenericRecord) SampleEvents.all().get(SampleEvents.all().size() - 1).envelope();
        SerializationException e = assertThrows(SerializationException.class, () -> genericWriter.serialize("t5", other));
        assertTrue(e.getMessage().contains("t5-value") && e.getMessage().contains("409"), e.getMessage());
    }
}
