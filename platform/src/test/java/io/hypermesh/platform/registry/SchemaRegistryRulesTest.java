package io.hypermesh.platform.registry;

import io.hypermesh.platform.testing.InMemorySchemaStore;
import io.hypermesh.schemas.registry.RegistryException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Registration rules end to end through a store: levels chosen per subject, transitive checks over history. */
class SchemaRegistryRulesTest {
    final InMemorySchemaStore store = new InMemorySchemaStore();

    int register(String subject, String fields) {
        String schema = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[" + fields + "]}";
        return store.write(s -> SchemaRegistry.register(s, subject, SchemaDefinition.avro(schema)));
    }

    void level(String subject, String level) {
        store.write(s -> RegistrySettings.setLevel(subject, level));
    }

    @Test
    void transitiveLevelRefusesWhatTheNonTransitiveOneAccepts() {
        for (String subject : new String[]{"plain", "transitive"}) {
            level(subject, subject.equals("plain") ? "BACKWARD" : "BACKWARD_TRANSITIVE");
            register(subject, "{\"name\":\"a\",\"type\":\"int\"}");
            register(subject, "");
        }
        String v3 = "{\"name\":\"a\",\"type\":\"string\",\"default\":\"\"}";
        register("plain", v3);
        RegistryException refused = assertThrows(RegistryException.class, () -> register("transitive", v3));
        assertEquals(409, refused.errorCode());
        assertEquals(java.util.List.of(1, 2), store.read(s -> SchemaRegistry.versions(s, "transitive", false)));
    }

    @Test
    void softDeletedVersionsAreNotCheckedAgainst() {
        register("s", "{\"name\":\"a\",\"type\":\"int\"}");
        store.write(s -> SchemaRegistry.deleteVersion(s, "s", "1", false));
        register("s", "{\"name\":\"b\",\"type\":\"string\"}");
        assertEquals(2, store.read(s -> SchemaRegistry.version(s, "s", "latest", false)).version());
    }

    @Test
    void idsAreGlobalAndStable() {
        int a = register("x", "{\"name\":\"a\",\"type\":\"int\"}");
        int b = register("y", "{\"name\":\"a\",\"type\":\"int\"}");
        int c = register("y", "{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"c\",\"type\":\"int\",\"default\":1}");
        assertEquals(a, b);
        assertEquals(a + 1, c);
    }
}
