package io.hypermesh.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import io.hypermesh.schemas.testing.InMemoryRegistryClient;
import io.hypermesh.schemas.format.ProtobufSchema;
import io.hypermesh.schemas.registry.client.RegistryClient.SchemaText;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON Schema and Protobuf serdes against the registry's own rules (in memory), byte for byte in Confluent's format. */
class TypedSerdesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROTO = """
            syntax = "proto3";
            package shop;
            message Order { string id = 1; int64 cents = 2; Line line = 3;
              message Line { string sku = 1; } }
            """;

    @Test
    void jsonSchemaValuesAreValidatedAndFramed() throws Exception {
        InMemoryRegistryClient registry = new InMemoryRegistryClient();
        SchemaText schema = new SchemaText("JSON",
                "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}},\"required\":[\"id\"]}", List.of());
        JsonSchemaSerializer serializer = new JsonSchemaSerializer(registry, schema);
        byte[] framed = serializer.serialize("orders", JSON.readTree("{\"id\":\"o-1\"}"));
        int id = ByteBuffer.wrap(framed, 1, 4).getInt();
        assertEquals(0, framed[0]);
        assertEquals("{\"id\":\"o-1\"}", new String(framed, 5, framed.length - 5));
        assertEquals("JSON", registry.versionText("orders-value", "latest").schema().schemaType());
        assertEquals(id, registry.versionText("orders-value", "latest").id());

        SerializationException refused = assertThrows(SerializationException.class,
                () -> serializer.serialize("orders", JSON.readTree("{\"name\":\"x\"}")));
        assertTrue(refused.getMessage().contains("does not match"), refused.getMessage());

        JsonNode back = new TypedDeserializer(registry).deserialize("orders", framed);
        assertEquals("o-1", back.get("id").asText());
        // A document the schema refuses is refused on the way in too (another producer may not validate).
        byte[] forged = Arrays.copyOf(framed, 5 + 2);
        forged[5] = '{';
        forged[6] = '}';
        assertThrows(SerializationException.class, () -> new TypedDeserializer(registry).deserialize("orders", forged));
    }

    @Test
    void protobufValuesCarryMessageIndexes() throws Exception {
        InMemoryRegistryClient registry = new InMemoryRegistryClient();
        SchemaText schema = new SchemaText("PROTOBUF", PROTO, List.of());
        ProtobufSerializer serializer = new ProtobufSerializer(registry, schema);
        ProtobufSchema parsed = (ProtobufSchema) new TypedSchemas(registry).parse(schema);

        DynamicMessage.Builder order = DynamicMessage.newBuilder(parsed.firstMessage());
        JsonFormat.parser().merge("{\"id\":\"o-1\",\"cents\":\"250\",\"line\":{\"sku\":\"s\"}}", order);
        byte[] first = serializer.serialize("orders", order.build());
        assertEquals(0, first[5], "the first message of the file is the single index byte 0");
        assertArrayEquals(order.build().toByteArray(), Arrays.copyOfRange(first, 6, first.length));

        DynamicMessage.Builder line = DynamicMessage.newBuilder(parsed.message("Order.Line"));
        JsonFormat.parser().merge("{\"sku\":\"s-2\"}", line);
        byte[] nested = serializer.serialize("orders", line.build());
        // indexes [0, 0]: count 2, then 0 and 0, as zig-zag varints.
        assertArrayEquals(new byte[] {4, 0, 0}, Arrays.copyOfRange(nested, 5, 8));

        DynamicMessage decoded = new ProtobufDeserializer(registry).deserialize("orders", nested);
        assertEquals("shop.Order.Line", decoded.getDescriptorForType().getFullName());
        JsonNode asJson = new TypedDeserializer(registry).deserialize("orders", first);
        assertEquals("250", asJson.get("cents").asText());
        assertEquals("s", asJson.at("/line/sku").asText());
    }

    @Test
    void aDeserializerRefusesAnotherType() throws Exception {
        InMemoryRegistryClient registry = new InMemoryRegistryClient();
        byte[] json = new JsonSchemaSerializer(registry, new SchemaText("JSON", "{\"type\":\"string\"}", List.of()))
                .serialize("t", JSON.readTree("\"x\""));
        assertThrows(SerializationException.class, () -> new ProtobufDeserializer(registry).deserialize("t", json));
        assertThrows(SerializationException.class, () -> new ProtobufSerializer(registry, null)
                .serialize("t", DynamicMessage.getDefaultInstance(com.google.protobuf.Timestamp.getDescriptor())));
    }
}
