package io.hypermesh.streams.registry;

import io.hypermesh.streams.testing.DriverFixture;

import io.hypermesh.state.ServiceInstance;
import io.hypermesh.schemas.testing.InMemoryRegistryClient;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.serde.AvroSerializer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class SerializedOnceTest {
    final RegistryClient registry = new InMemoryRegistryClient();
    final SerializedOnce<ServiceInstance> once = new SerializedOnce<>(new AvroSerializer<>(registry, true));
    final AvroDeserializer<ServiceInstance> decoder = new AvroDeserializer<>(registry, ServiceInstance.class);

    @Test
    void theSameInstanceIsEncodedOnceForTheStoreAndTheStateTopic() {
        ServiceInstance web = DriverFixture.instance("web-1", "web");
        byte[] stored = once.serialize("bus-registry-instances-changelog", web);
        byte[] published = once.serialize("hypermesh.registry.state", web);
        assertSame(stored, published, "one schema, one id under both subjects: the store's bytes as they are");
        assertEquals(web, decoder.deserialize("hypermesh.registry.state", published));

        ServiceInstance next = ServiceInstance.newBuilder(web).setTtlMs(20_000).build();
        byte[] again = once.serialize("bus-registry-instances-changelog", next);
        assertNotSame(stored, again, "another instance state is encoded anew");
        assertEquals(next, decoder.deserialize("x", again));
    }

    @Test
    void aSubjectWhoseIdDiffersGetsTheSameBodyUnderItsOwnId() {
        // As an imported registry can have it: the state topic's subject holds the schema under another id.
        RegistryClient imported = new RegistryClient() {
            int shift(String subject) {
                return subject.startsWith("hypermesh.registry.state") ? 1_000 : 0;
            }

            public int register(String subject, org.apache.avro.Schema schema) {
                return registry.register(subject, schema) + shift(subject);
            }

            public int idOf(String subject, org.apache.avro.Schema schema) {
                return registry.idOf(subject, schema) + shift(subject);
            }

            public org.apache.avro.Schema schemaById(int id) {
                return registry.schemaById(id % 1_000);
            }

            public RegistryClient.RegisteredSchema latest(String subject) {
                return registry.latest(subject);
            }

            public java.util.List<String> incompatibilities(String subject, org.apache.avro.Schema candidate) {
                return registry.incompatibilities(subject, candidate);
            }

            public java.util.List<String> subjects() {
                return registry.subjects();
            }

            public java.util.List<Integer> versions(String subject) {
                return registry.versions(subject);
            }

            public RegistryClient.SchemaText schemaText(int id) {
                return registry.schemaText(id % 1_000);
            }

            public RegistryClient.RegisteredText versionText(String subject, String version) {
                return registry.versionText(subject, version);
            }

            public int register(String subject, RegistryClient.SchemaText schema) {
                return registry.register(subject, schema) + shift(subject);
            }

            public String describe() {
                return "imported";
            }
        };
        SerializedOnce<ServiceInstance> reframing = new SerializedOnce<>(new AvroSerializer<>(imported, true));
        ServiceInstance web = DriverFixture.instance("web-1", "web");
        byte[] stored = reframing.serialize("changelog", web);
        byte[] published = reframing.serialize("hypermesh.registry.state", web);
        assertEquals(ByteBuffer.wrap(stored, 1, 4).getInt() + 1_000, ByteBuffer.wrap(published, 1, 4).getInt(),
                "the state subject's own id");
        assertArrayEquals(Arrays.copyOfRange(stored, 5, stored.length), Arrays.copyOfRange(published, 5, published.length),
                "the same body");
        assertEquals(web, new AvroDeserializer<>(imported, ServiceInstance.class).deserialize("hypermesh.registry.state", published));
    }
}
