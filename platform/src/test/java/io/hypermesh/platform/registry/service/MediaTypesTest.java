package io.hypermesh.platform.registry.service;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The answer type from Accept, as Confluent's registry negotiates it. */
class MediaTypesTest {
    @Test
    void theRegistrysOwnTypeWinsUnlessTheClientWeighsAnotherHigher() {
        assertEquals(MediaTypes.V1, MediaTypes.choose(null), "no Accept: anything goes");
        assertEquals(MediaTypes.V1, MediaTypes.choose("*/*"));
        assertEquals(MediaTypes.V1,
                MediaTypes.choose("application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json"),
                "what Confluent's clients send");
        assertEquals(MediaTypes.JSON, MediaTypes.choose("application/json"));
        assertEquals(MediaTypes.DEFAULT, MediaTypes.choose("application/vnd.schemaregistry+json"));
        assertEquals(MediaTypes.V1, MediaTypes.choose("application/*"));
        assertEquals(MediaTypes.JSON, MediaTypes.choose("application/json, application/vnd.schemaregistry.v1+json;q=0.1"),
                "0.1 x 0.9 loses to 1 x 0.5");
        assertEquals(MediaTypes.V1, MediaTypes.choose("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), "a browser");
    }

    @Test
    void nothingAcceptableIsA406() {
        assertNull(MediaTypes.choose("text/html"));
        assertNull(MediaTypes.choose("text/plain, image/png"));
        assertNull(MediaTypes.choose("application/json;q=0"), "q=0 means not acceptable");
        assertNull(MediaTypes.choose("application/xml"));
    }
}
