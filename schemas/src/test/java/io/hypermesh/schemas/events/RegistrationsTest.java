package io.hypermesh.schemas.events;

import io.hypermesh.events.CheckDefinition;
import io.hypermesh.events.Endpoint;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.events.registry.Weights;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistrationsTest {
    static {
        io.hypermesh.schemas.serde.AvroTrust.install(); // builders of records holding records check their classes
    }

    static ServiceRegistered.Builder valid() {
        return ServiceRegistered.newBuilder().setInstanceId("web-1").setServiceName("web").setEndpoint(new Endpoint("10.0.0.1", 80, "tcp"))
                .setTags(List.of("blue")).setWeights(new Weights(1, 1)).setMetadata(Map.of("version", "2")).setTtlMs(0);
    }

    static String problem(ServiceRegistered.Builder b) {
        return Registrations.problem(b.build());
    }

    @Test
    void aPlainRegistrationIsValidAndPortZeroIsAllowedAsInConsul() {
        assertNull(problem(valid()));
        assertNull(problem(valid().setEndpoint(new Endpoint("", 0, "tcp"))));
    }

    @Test
    void metadataHasConsulsLimitsAndWords() {
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 65; i++) {
            many.put("k" + i, "v");
        }
        assertEquals("Invalid Service Meta: Service metadata cannot contain more than 64 key/value pairs",
                problem(valid().setMetadata(many)));
        assertTrue(problem(valid().setMetadata(Map.of("k".repeat(129), "v"))).endsWith("Key is too long (limit: 128 characters)"));
        assertTrue(problem(valid().setMetadata(Map.of("k", "é".repeat(257)))).endsWith("Value is too long (limit: 512 characters)"),
                "512 bytes, as Go counts");
        assertNull(problem(valid().setMetadata(Map.of("k", "v".repeat(512)))));
        assertTrue(problem(valid().setMetadata(Map.of("a b", "v"))).endsWith("Key contains invalid characters"));
        assertTrue(problem(valid().setMetadata(Map.of("consul-x", "v"))).endsWith("Key prefix 'consul-' is reserved for internal use"));
    }

    @Test
    void noControlCharacterInAnIdAndNoLoneSurrogateAnywhere() {
        assertTrue(problem(valid().setInstanceId("a\u0000b")).contains("control characters (found U+0000 at 1)"));
        assertTrue(problem(valid().setServiceName("we\nb")).contains("control characters"));
        assertTrue(problem(valid().setServiceName("web\ud800")).contains("lone surrogate U+D800 at 3"));
        assertTrue(problem(valid().setTags(List.of("\udc00x"))).contains("lone surrogate U+DC00 at 0"));
        assertNull(problem(valid().setServiceName("web-\ud83d\ude80")), "a pair is fine");
    }

    @Test
    void weightsLeasesAndChecksAreCheckedNotCoerced() {
        assertEquals("Invalid Weights: Passing must be greater than 0", problem(valid().setWeights(new Weights(0, 1))));
        assertEquals("Invalid Weights: Warning must be greater or equal than 0", problem(valid().setWeights(new Weights(1, -1))));
        assertTrue(problem(valid().setTtlMs(Registrations.MAX_LEASE_MS + 1)).startsWith("ttlMs (the heartbeat lease) must be"));
        assertTrue(problem(valid().setEndpoint(new Endpoint("h", 65536, "tcp"))).startsWith("Port must be 0..65535"));
        CheckDefinition ttl = CheckDefinition.newBuilder().setCheckId("c").setName("c").setType("ttl").setTtlMs(0).build();
        assertEquals("TTL must be > 0 for TTL checks", problem(valid().setChecks(List.of(ttl))));
        CheckDefinition http = CheckDefinition.newBuilder().setCheckId("h").setName("h").setType("http").setHttp("http://x").build();
        assertEquals("Interval must be > 0 for Script, HTTP, or TCP checks", problem(valid().setChecks(List.of(http))));
        CheckDefinition badStatus = CheckDefinition.newBuilder(ttl).setTtlMs(1000).setStatus("green").build();
        assertEquals("Status for checks must 'passing', 'warning', 'critical'", problem(valid().setChecks(List.of(badStatus))));
        CheckDefinition ok = CheckDefinition.newBuilder(ttl).setTtlMs(1000).build();
        assertEquals("duplicate check ID 'c'", problem(valid().setChecks(List.of(ok, ok))));
    }

    @Test
    void tagsWithControlCharactersAndIdsTooLongToAddressAreRefused() {
        assertTrue(problem(valid().setTags(List.of("ok", "bad\u0007tag"))).startsWith("Tags must not contain control characters"));
        assertNull(problem(valid().setInstanceId("i".repeat(Registrations.MAX_ID_BYTES))));
        assertTrue(problem(valid().setInstanceId("i".repeat(Registrations.MAX_ID_BYTES
                + 1))).startsWith("ID is 4097 bytes; the limit is 4096"));
        assertTrue(problem(valid().setServiceName("é".repeat(2_049))).startsWith("Name is 4098 bytes"), "bytes, not characters");
    }
}
