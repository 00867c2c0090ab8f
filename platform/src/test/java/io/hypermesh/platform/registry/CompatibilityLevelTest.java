package io.hypermesh.platform.registry;

import io.hypermesh.schemas.registry.RegistryException;
import io.hypermesh.schemas.format.ParsedSchema;
import io.hypermesh.schemas.format.SchemaTypes;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cases that must pass and fail under each level, including chains only transitive levels catch. */
class CompatibilityLevelTest {

    static ParsedSchema schema(String fields) {
        return SchemaTypes.parse(SchemaTypes.AVRO, "{\"type\":\"record\",\"name\":\"R\",\"fields\":[" + fields + "]}", Map.of());
    }

    static final ParsedSchema A_INT = schema("{\"name\":\"a\",\"type\":\"int\"}");
    static final ParsedSchema A_INT_DEFAULT = schema("{\"name\":\"a\",\"type\":\"int\",\"default\":0}");
    static final ParsedSchema EMPTY = schema("");
    static final ParsedSchema A_B_DEFAULT =
            schema("{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"string\",\"default\":\"\"}");
    static final ParsedSchema A_B = schema("{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"string\"}");
    static final ParsedSchema A_STRING_DEFAULT = schema("{\"name\":\"a\",\"type\":\"string\",\"default\":\"\"}");

    static boolean ok(CompatibilityLevel level, ParsedSchema candidate, ParsedSchema... earlier) {
        return level.check(candidate, List.of(earlier)).isEmpty();
    }

    @Test
    void backward() {
        assertTrue(ok(CompatibilityLevel.BACKWARD, A_B_DEFAULT, A_INT), "adding a field with a default");
        assertFalse(ok(CompatibilityLevel.BACKWARD, A_B, A_INT), "adding a field without a default");
        assertTrue(ok(CompatibilityLevel.BACKWARD, EMPTY, A_INT), "removing a field");
    }

    @Test
    void forward() {
        assertTrue(ok(CompatibilityLevel.FORWARD, A_B, A_INT), "adding a field: old readers ignore it");
        assertFalse(ok(CompatibilityLevel.FORWARD, EMPTY, A_INT), "removing a field the old reader needs");
        assertTrue(ok(CompatibilityLevel.FORWARD, EMPTY, A_INT_DEFAULT), "removing a field the old reader has a default for");
    }

    @Test
    void full() {
        assertTrue(ok(CompatibilityLevel.FULL, A_B_DEFAULT, A_INT));
        assertFalse(ok(CompatibilityLevel.FULL, A_B, A_INT), "fails backward");
        assertFalse(ok(CompatibilityLevel.FULL, EMPTY, A_INT), "fails forward");
    }

    @Test
    void backwardTransitiveCatchesWhatBackwardLetsThrough() {
        // v1 {a:int} -> v2 {} -> v3 {a:string=""}: v3 reads v2, but not v1's int.
        assertTrue(ok(CompatibilityLevel.BACKWARD, A_STRING_DEFAULT, A_INT, EMPTY));
        assertFalse(ok(CompatibilityLevel.BACKWARD_TRANSITIVE, A_STRING_DEFAULT, A_INT, EMPTY));
    }

    @Test
    void forwardTransitiveCatchesWhatForwardLetsThrough() {
        // v1 {a:int} -> v2 {a:int=0} -> v3 {}: v2 reads v3 with its default, v1 cannot.
        assertTrue(ok(CompatibilityLevel.FORWARD, EMPTY, A_INT, A_INT_DEFAULT));
        assertFalse(ok(CompatibilityLevel.FORWARD_TRANSITIVE, EMPTY, A_INT, A_INT_DEFAULT));
    }

    @Test
    void fullTransitiveCatchesWhatFullLetsThrough() {
        assertTrue(ok(CompatibilityLevel.FULL, EMPTY, A_INT, A_INT_DEFAULT));
        assertFalse(ok(CompatibilityLevel.FULL_TRANSITIVE, EMPTY, A_INT, A_INT_DEFAULT));
    }

    @Test
    void noneAcceptsAnything() {
        assertTrue(ok(CompatibilityLevel.NONE, A_B, A_STRING_DEFAULT, A_INT));
    }

    @Test
    void messagesNameTheProblem() {
        List<String> messages = CompatibilityLevel.BACKWARD.check(A_B, List.of(A_INT));
        assertEquals(1, messages.size());
        assertTrue(messages.get(0).contains("READER_FIELD_MISSING_DEFAULT_VALUE") && messages.get(0).contains("b"), messages.get(0));
    }

    @Test
    void parsesLevelsCaseInsensitivelyAndRefusesOthers() {
        assertEquals(CompatibilityLevel.FULL_TRANSITIVE, CompatibilityLevel.parse("full_transitive"));
        RegistryException e = org.junit.jupiter.api.Assertions.assertThrows(RegistryException.class,
                () -> CompatibilityLevel.parse("LOOSE"));
        assertEquals(42203, e.errorCode());
    }
}
