package io.hypermesh.streams.api;

import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.streams.testing.ConsulClientBus;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.consul.BlockingQueryOptions;
import io.vertx.ext.consul.Check;
import io.vertx.ext.consul.CheckList;
import io.vertx.ext.consul.CheckOptions;
import io.vertx.ext.consul.CheckStatus;
import io.vertx.ext.consul.Service;
import io.vertx.ext.consul.ServiceEntry;
import io.vertx.ext.consul.ServiceEntryList;
import io.vertx.ext.consul.ServiceList;
import io.vertx.ext.consul.ServiceOptions;
import io.vertx.ext.consul.Watch;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.hypermesh.streams.testing.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Discovery through a Consul client nobody here wrote: Vert.x's {@code vertx-consul-client}, used
 * against the bus exactly as against a Consul agent.
 */
@KafkaIT
class ConsulClientIT extends ConsulClientBus {
    static String name() {
        return "cc-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static List<String> ids(ServiceEntryList entries) {
        return entries.getList().stream().map(e -> e.getService().getId()).sorted().toList();
    }

    @Test
    void ttlAndHttpChecksGateWhatIsPassingAndTheBusRunsTheHttpCheck() throws Exception {
        AtomicInteger healthStatus = new AtomicInteger(200);
        HttpServer target = await(vertx.createHttpServer().requestHandler(r -> r.response().setStatusCode(healthStatus.get()).end("ok"))
                .listen(0, "127.0.0.1"));
        String svc = name();
        await(consul.registerService(new ServiceOptions().setName(svc).setId(svc
                + "-1").setAddress("127.0.0.1").setPort(target.actualPort())
                .setTags(List.of("blue")).setCheckListOptions(List.of(
                        new CheckOptions().setId(svc + "-1-ttl").setName("heartbeat").setTtl("30s"),
                        new CheckOptions().setId(svc + "-1-http").setName("http").setHttp("http://127.0.0.1:" + target.actualPort()
                                + "/health")
                                .setInterval("300ms")))));
        await(consul.registerService(new ServiceOptions().setName(svc).setId(svc + "-2").setAddress("127.0.0.1").setPort(1)
                .setCheckOptions(new CheckOptions().setTtl("30s"))));

        assertEquals(List.of(svc + "-1", svc + "-2"), ids(await(consul.healthServiceNodes(svc, false))));
        assertEquals(List.of(), ids(await(consul.healthServiceNodes(svc, true))), "new checks start critical");

        await(consul.passCheck(svc + "-1-ttl"));
        // The HTTP check is run by the bus: it turns passing on its own.
        ServiceEntryList passing = until(() -> await(consul.healthServiceNodes(svc, true)), l -> l.getList().size() == 1,
                Duration.ofSeconds(30), "the HTTP check ran");
        ServiceEntry entry = passing.getList().get(0);
        assertEquals(svc + "-1", entry.getService().getId());
        assertEquals(List.of("blue"), entry.getService().getTags());
        assertEquals(app.settings().nodeName(), entry.getNode().getName());
        Check http = entry.getChecks().stream().filter(c -> c.getId().equals(svc + "-1-http")).findFirst().orElseThrow();
        assertEquals(CheckStatus.PASSING, http.getStatus());
        assertTrue(http.getOutput().startsWith("HTTP GET http://127.0.0.1:"), http.getOutput());

        ServiceList catalog = await(consul.catalogServices());
        assertTrue(catalog.getList().stream().anyMatch(s -> s.getName().equals(svc) && s.getTags().contains("blue")));

        healthStatus.set(503);
        until(() -> await(consul.healthServiceNodes(svc, true)), l -> l.getList().isEmpty(), Duration.ofSeconds(30), "failing HTTP check");

        await(consul.warnCheck("service:" + svc + "-2"));
        await(consul.failCheckWithNote(svc + "-1-ttl", "stuck"));
        CheckList checks = await(consul.healthChecks(svc));
        assertEquals(CheckStatus.WARNING, checks.getList().stream().filter(c -> c.getId().equals("service:" + svc + "-2")).findFirst()
                .orElseThrow().getStatus());
        Check failed = checks.getList().stream().filter(c -> c.getId().equals(svc + "-1-ttl")).findFirst().orElseThrow();
        assertEquals(CheckStatus.CRITICAL, failed.getStatus());
        assertEquals("stuck", failed.getOutput());

        List<String> local = await(consul.localServices()).stream().map(Service::getId).toList();
        assertTrue(local.contains(svc + "-1") && local.contains(svc + "-2"), "registered through this agent: " + local);
        assertEquals("dc1", await(consul.agentInfo()).getJsonObject("Config").getString("Datacenter"));

        await(consul.deregisterService(svc + "-1"));
        assertEquals(List.of(svc + "-2"), await(consul.catalogServiceNodes(svc)).getList().stream().map(Service::getId).toList());
        await(target.close());
    }

    @Test
    void aTcpCheckRunByTheBusAndMaintenanceModeGateDiscovery() throws Exception {
        io.vertx.core.net.NetServer listening = await(vertx.createNetServer().connectHandler(socket -> socket.close()).listen(0,
                "127.0.0.1"));
        String svc = name();
        await(consul.registerService(new ServiceOptions().setName(svc).setId(svc
                + "-1").setAddress("127.0.0.1").setPort(listening.actualPort())
                .setCheckOptions(new CheckOptions().setTcp("127.0.0.1:" + listening.actualPort()).setInterval("300ms"))));
        until(() -> await(consul.healthServiceNodes(svc, true)), l -> l.getList().size() == 1, Duration.ofSeconds(30), "the TCP check ran");

        await(consul.maintenanceService(new io.vertx.ext.consul.MaintenanceOptions().setId(svc
                + "-1").setEnable(true).setReason("upgrade")));
        assertEquals(List.of(), ids(await(consul.healthServiceNodes(svc, true))), "in maintenance: not passing, at once");
        Check maintenance = await(consul.healthChecks(svc)).getList().stream().filter(c -> c.getId().equals("_service_maintenance:"
                + svc + "-1"))
                .findFirst().orElseThrow();
        assertEquals(CheckStatus.CRITICAL, maintenance.getStatus());
        assertEquals("upgrade", maintenance.getNotes());
        await(consul.maintenanceService(new io.vertx.ext.consul.MaintenanceOptions().setId(svc + "-1").setEnable(false)));
        assertEquals(List.of(svc + "-1"), ids(await(consul.healthServiceNodes(svc, true))));

        await(listening.close());
        until(() -> await(consul.healthServiceNodes(svc, true)), l -> l.getList().isEmpty(), Duration.ofSeconds(30),
                "nothing listens: critical");
        assertTrue(await(consul.healthChecks(svc)).getList().get(0).getOutput().startsWith("dial tcp 127.0.0.1:"));
    }

    @Test
    void aBlockingQueryReturnsOnTheNextChangeWithAHigherIndex() throws Exception {
        String svc = name();
        ServiceList before = await(consul.catalogServices());
        Future<ServiceList> blocked = consul.catalogServicesWithOptions(new
                BlockingQueryOptions().setIndex(before.getIndex()).setWait("20s"));
        Thread.sleep(300);
        assertTrue(!blocked.isComplete(), "waits while nothing changed");
        await(consul.registerService(new ServiceOptions().setName(svc).setId(svc + "-1").setPort(80)));
        ServiceList after = await(blocked);
        assertTrue(after.getIndex() > before.getIndex(), after.getIndex() + " after " + before.getIndex());
        assertTrue(after.getList().stream().anyMatch(s -> s.getName().equals(svc)));
    }

    @Test
    void aServiceWatchFiresExactlyOncePerChange() throws Exception {
        String svc = name();
        List<List<String>> seen = new CopyOnWriteArrayList<>();
        Watch<ServiceEntryList> watch = Watch.service(svc, vertx, options).setHandler(r -> {
            if (r.succeeded()) {
                seen.add(r.nextResult().getList().stream().map(e -> e.getService().getId() + "="
                        + e.getChecks().get(0).getStatus()).toList());
            }
        }).start();
        try {
            until(() -> seen.size(), n -> n == 1, Duration.ofSeconds(30), "the watch's first answer");
            await(consul.registerService(new ServiceOptions().setName(svc).setId(svc + "-1").setPort(80).setCheckOptions(
                    new CheckOptions().setTtl("1h"))));
            until(() -> seen.size(), n -> n == 2, Duration.ofSeconds(30), "registered");
            await(consul.registerService(new ServiceOptions().setName(name()).setId(name()).setPort(80)));
            await(consul.passCheck("service:" + svc + "-1"));
            await(consul.passCheck("service:" + svc + "-1")); // the same status again: not a change
            until(() -> seen.size(), n -> n == 3, Duration.ofSeconds(30), "passing");
            await(consul.deregisterService(svc + "-1"));
            until(() -> seen.size(), n -> n == 4, Duration.ofSeconds(30), "deregistered");
            Thread.sleep(2_000);
            assertEquals(List.of(List.of(), List.of(svc + "-1=CRITICAL"), List.of(svc + "-1=PASSING"), List.of()), seen,
                    "one fire per change, none for another service or a repeated status");
        } finally {
            watch.stop();
        }
    }
}
