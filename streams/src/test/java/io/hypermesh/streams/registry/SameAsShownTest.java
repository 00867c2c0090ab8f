package io.hypermesh.streams.registry;

import io.hypermesh.streams.testing.DriverFixture;

import io.hypermesh.events.CheckDefinition;
import io.hypermesh.state.CheckState;
import io.hypermesh.state.ServiceInstance;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What moves a Consul index: anything a view shows, never a lease or a timestamp. */
class SameAsShownTest {
    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    static CheckState check(String status, Instant updatedAt) {
        return CheckState.newBuilder().setDefinition(CheckDefinition.newBuilder().setCheckId("c1").setName("alive").build())
                .setStatus(status).setOutput("").setUpdatedAt(updatedAt).setCriticalSince(status.equals("critical") ? updatedAt
                        : null).build();
    }

    static ServiceInstance web(CheckState check) {
        return ServiceInstance.newBuilder(DriverFixture.instance("web-1", "web")).setChecks(List.of(check)).build();
    }

    @Test
    void leasesTimestampsAndTheModifyIndexAreNotShown() {
        ServiceInstance before = web(check("critical", T0));
        ServiceInstance renewed =
                ServiceInstance.newBuilder(before).setRegisteredAt(T0.plusSeconds(5)).setLastHeartbeatAt(T0.plusSeconds(9))
                .setTtlMs(99_000).setModifyIndex(77).setChecks(List.of(check("critical", T0.plusSeconds(9)))).build();
        assertTrue(RegistryFold.sameAsShown(before, renewed));
    }

    @Test
    void whatAViewShowsIsShown() {
        ServiceInstance before = web(check("passing", T0));
        assertFalse(RegistryFold.sameAsShown(before, ServiceInstance.newBuilder(before).setTags(List.of("v2")).build()), "a tag");
        assertFalse(RegistryFold.sameAsShown(before, ServiceInstance.newBuilder(before).setWeightPassing(3).build()), "a weight");
        assertFalse(RegistryFold.sameAsShown(before, web(check("warning", T0))), "a check's status");
        assertFalse(RegistryFold.sameAsShown(before, ServiceInstance.newBuilder(before).setChecks(List.of()).build()), "a check gone");
        CheckState renamed = CheckState.newBuilder(check("passing", T0))
                .setDefinition(CheckDefinition.newBuilder().setCheckId("c1").setName("ready").build()).build();
        assertFalse(RegistryFold.sameAsShown(before, web(renamed)), "a check's definition");
    }
}
