package io.hypermesh.streams.connect;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SpiffeIdTest {
    @Test
    void aServiceIdentityReadsBackAsWritten() {
        SpiffeId id = SpiffeId.service("11111111-2222-3333-4444-555555555555.consul", "dc1", "web");
        assertEquals("spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web", id.uri());
        assertEquals(id, SpiffeId.parse(id.uri()));
        assertEquals("api", SpiffeId.parse("spiffe://td.consul/ap/part1/ns/default/dc/dc1/svc/api").service());
        assertEquals("part1", SpiffeId.parse("spiffe://td.consul/ap/part1/ns/default/dc/dc1/svc/api").partition());
    }

    @Test
    void anythingElseIsRefusedWithConsulsReasons() {
        for (String bad : new String[]{"", "https://td.consul/ns/default/dc/dc1/svc/web", "not a uri", "spiffe:///ns/x"}) {
            assertEquals("ClientCertURI not a valid Connect identifier",
                    assertThrows(SpiffeId.NotAServiceException.class, () -> SpiffeId.parse(bad)).getMessage(), bad);
        }
        for (String other : new String[]{"spiffe://td.consul/agent/client/dc/dc1/id/123", "spiffe://td.consul",
                "spiffe://td.consul/ns/default/dc/dc1/svc/", "spiffe://td.consul/gateway/mesh/dc/dc1"}) {
            assertEquals("ClientCertURI not a valid Service identifier",
                    assertThrows(SpiffeId.NotAServiceException.class, () -> SpiffeId.parse(other)).getMessage(), other);
        }
    }
}
