package io.hypermesh.streams.api;

import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.Endpoint;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.events.registry.Weights;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.ApiLimits;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.testing.BusFixture;
import io.hypermesh.streams.testing.Eventually;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18's bound on the dashboard: 20 browsers following the overview of 20,000 instances whose
 * health keeps changing get a bounded page each, and leave ordinary Consul reads on the same
 * instance answering within 50 ms at the 99th percentile. Before, every change sent each client
 * the whole 8 MB view, and reads took up to 7.9 s. It has a broker of its own, so the tests after
 * it do not fold its 20,000 instances.
 */
@Tag("kafka")
class DashboardLoadIT {
    static final int SERVICES = 1_000;
    static final int PER_SERVICE = 20;
    static final int CLIENTS = 20;
    static EmbeddedKafka kafka;
    static BusFixture bus;
    static StreamsApp app;
    static Http api;

    @BeforeAll
    static void start() throws Exception {
        bus = BusFixture.withOwnBroker("dashboard-load-kafka-");
        kafka = bus.kafka;
        // Twenty browsers, which in life come from twenty addresses: here all from loopback, one client to the bus.
        app = bus.start(bus.settings(BusFixture.uniqueAppId()).withApiLimits(ApiLimits.DEFAULTS.withStreamsPerClient(CLIENTS)));
        api = new Http(app.url());
    }

    @AfterAll
    static void stop() {
        if (bus != null) {
            bus.close(); // and its broker
        }
    }

    @Test
    void twentyDashboardsOfTwentyThousandInstancesLeaveReadsFast() throws Exception {
        String prefix = "load" + UUID.randomUUID().toString().substring(0, 6);
        List<String> ids = new ArrayList<>();
        try (BusPublisher writer = BusPublisher.idempotent(bus.kafka.access(), new HttpRegistryClient(bus.registry.url()))) {
            List<CompletableFuture<?>> sent = new ArrayList<>();
            for (int s = 0; s < SERVICES; s++) {
                for (int i = 0; i < PER_SERVICE; i++) {
                    String id = prefix + "-" + s + "-" + i;
                    ids.add(id);
                    sent.add(writer.publish(Topics.REGISTRY.name(), id, registration(id, prefix + "-svc" + s)));
                }
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            Eventually.until(() -> new JsonObject(api.get("/v1/hypermesh/ui/overview?filter=" + prefix
                    + "&limit=1").body()).getJsonObject("Counts"),
                    counts -> counts.getInteger("Matching") == SERVICES * PER_SERVICE, Duration.ofSeconds(120), "all instances folded");

            AtomicBoolean running = new AtomicBoolean(true);
            List<Dashboard> dashboards = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                dashboards.add(new Dashboard(app.url() + "/v1/hypermesh/ui/overview?stream", running));
            }
            // Health keeps changing, so every dashboard is re-rendered all the time; paced by sleeping.
            Thread churn = start("health-churn", () -> {
                CheckStatus[] verdicts = CheckStatus.values();
                while (running.get()) {
                    String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                    writer.publish(Topics.HEALTH_CHECKS.name(), id, check(id,
                            verdicts[ThreadLocalRandom.current().nextInt(verdicts.length)]));
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            try {
                Eventually.until(() -> dashboards.stream().mapToInt(d -> d.events.get()).min().orElse(0), n -> n >= 2,
                        Duration.ofSeconds(30), "every dashboard receives updates");
                for (int i = 0; i < 200; i++) {
                    read(prefix, i); // warm: the first reads compile the path
                }
                long eventsBefore = dashboards.stream().mapToLong(d -> d.events.get()).sum();
                long[] micros = new long[1_000];
                for (int i = 0; i < micros.length; i++) {
                    long start = System.nanoTime();
                    read(prefix, i);
                    micros[i] = (System.nanoTime() - start) / 1_000;
                }
                Arrays.sort(micros);
                long p50 = micros[micros.length / 2];
                long p99 = micros[micros.length * 99 / 100];
                long eventsDuring = dashboards.stream().mapToLong(d -> d.events.get()).sum() - eventsBefore;
                long largest = dashboards.stream().mapToLong(d -> d.largestEvent.get()).max().orElse(0);
                System.out.printf("dashboard load: reads p50 %.1f ms, p99 %.1f ms; %d dashboard updates during them; largest update %d "
                        + "bytes%n",
                        p50 / 1e3, p99 / 1e3, eventsDuring, largest);
                assertTrue(eventsDuring >= CLIENTS, "the dashboards kept receiving updates while reads were measured: " + eventsDuring);
                assertTrue(largest < 200_000, "each update is one bounded page, not the whole view: " + largest + " bytes");
                // What this guards against is reads starved by dashboards (p99 7.9 s before the dashboard was
                // paged and rendered once per change), not tuning: a bound ten times the usual p99 on a
                // loaded 2-core machine (20-50 ms) catches that without failing on noise. Speed is the bench's.
                assertTrue(p99 < 500_000, "normal reads are not starved beside 20 dashboards: p50 "
                        + p50 / 1e3 + " ms, p99 " + p99 / 1e3 + " ms");
                dashboards.forEach(d -> assertEquals(null, d.failure.get(), "no dashboard stream failed"));
            } finally {
                running.set(false);
                churn.join(5_000);
                dashboards.forEach(Dashboard::close);
            }
        }
    }

    private static void read(String prefix, int i) throws Exception {
        Http.Response r = api.get("/v1/health/service/" + prefix + "-svc" + (i * 7919 % SERVICES));
        assertEquals(200, r.status(), r.body());
        assertEquals(PER_SERVICE, r.json().size());
    }

    /** One browser following the overview stream: counts its updates and the largest one. */
    static final class Dashboard {
        final AtomicInteger events = new AtomicInteger();
        final AtomicLong largestEvent = new AtomicLong();
        final java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        private final HttpClient client = HttpClient.newHttpClient();
        private final Thread reader;
        private volatile java.io.InputStream body;

        Dashboard(String url, AtomicBoolean running) {
            reader = start("dashboard-client", () -> {
                try {
                    HttpResponse<java.io.InputStream> response = client.send(HttpRequest.newBuilder(URI.create(url))
                            .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
                    body = response.body();
                    BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
                    String line;
                    while (running.get() && (line = lines.readLine()) != null) {
                        if (line.startsWith("data: ")) {
                            largestEvent.accumulateAndGet(line.length(), Math::max);
                            events.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    if (running.get()) {
                        failure.set(e);
                    }
                }
            });
        }

        void close() {
            try {
                if (body != null) {
                    body.close();
                }
            } catch (java.io.IOException ignored) {
                // closing a stream the server may have closed first
            }
            reader.interrupt();
        }
    }

    private static Thread start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** A plain registration of {@code id} in {@code service}, with an hour's lease. */
    static RegistryEvent registration(String id, String service) {
        return RegistryEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSource(new EventSource("load-test",
                ComponentKind.SERVICE))
                .setOccurredAt(Instant.now()).setTraceId(null)
                .setPayload(ServiceRegistered.newBuilder().setInstanceId(id).setServiceName(service)
                        .setEndpoint(new Endpoint("10.0.0.1", 8080, "tcp")).setTags(List.of()).setWeights(new Weights(1, 1))
                        .setMetadata(Map.of()).setTtlMs(3_600_000L).build()).build();
    }

    private static HealthCheckEvent check(String component, CheckStatus status) {
        return HealthCheckEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSource(new EventSource(component,
                ComponentKind.SERVICE))
                .setOccurredAt(Instant.now()).setTraceId(null)
                .setPayload(new HealthCheckResult(component, "load", status, 5.0, null)).build();
    }
}
