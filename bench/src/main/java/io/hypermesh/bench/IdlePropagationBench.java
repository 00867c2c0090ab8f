package io.hypermesh.bench;

import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.app.StreamsApp;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * 8. Idle propagation: single registrations one at a time on an otherwise idle bus of two
 * instances, written over HTTP to the first instance or by a plain produce, each timed from just
 * before the write until a blocking query on the second instance returns a view that shows it.
 */
final class IdlePropagationBench {
    /** Writes per path before timing can start: connections open, code compiled. */
    private static final int WARM_UP = 20;
    /** A small pool of instances, re-registered with a new sequence number: each view stays a few entries. */
    private static final int POOL = 8;

    private final BenchRunner runner;
    private final HttpClient http = HttpClient.newHttpClient();

    IdlePropagationBench(BenchRunner runner) {
        this.runner = runner;
    }

    void run(String guarantee) throws Exception {
        int count = runner.scale().name().equals("tiny") ? 20 : 200;
        String run = UUID.randomUUID().toString().substring(0, 6);
        String applicationId = "bench-idle-" + guarantee + "-" + run;
        try (StreamsApp writeTo = runner.startFolds(guarantee, applicationId);
             StreamsApp readFrom = runner.startFolds(guarantee, applicationId);
             HttpRegistryClient registry = new HttpRegistryClient(runner.registry().url());
             BusPublisher producer = BusPublisher.idempotent(runner.kafka().access(), registry, Map.of(ProducerConfig.LINGER_MS_CONFIG,
                     0))) {
            writeTo.awaitRunning(Duration.ofMinutes(2)); // rebalanced with the second instance
            Thread.sleep(2_000);
            String service = "idle-" + run;
            String index = fetch(readFrom.url(), service, "0").headers().firstValue("X-Consul-Index").orElse("0");
            Latencies overHttp = new Latencies();
            Latencies overProduce = new Latencies();
            // The first hop of each path: the register answered (it answers once the owning fold applied
            // it) and the produce acknowledged; what follows is the second instance finding out.
            Latencies applied = new Latencies();
            Latencies acknowledged = new Latencies();
            ThreadCpu cpuBefore = null;
            JitQuiet warm = new JitQuiet(runner.scale().warmUp().multipliedBy(12));
            int timedFrom = -1; // the first timed write, once warm
            for (int i = 0; timedFrom < 0 || i < timedFrom + 2 * count; i++) {
                if (timedFrom < 0 && i % 2 == 0 && i >= 2 * WARM_UP && warm.quiet()) {
                    timedFrom = i;
                    cpuBefore = ThreadCpu.now();
                }
                boolean timed = timedFrom >= 0;
                boolean viaHttp = i % 2 == 0;
                String id = service + "-" + (i % POOL);
                String seq = Integer.toString(i);
                CompletableFuture<HttpResponse<String>> shown = watch(readFrom.url(), service, index);
                long start = System.nanoTime();
                CompletableFuture<?> acked = null;
                long firstHop = 0;
                if (viaHttp) {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(writeTo.url() + "/v1/agent/service/register"))
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"ID\":\"" + id + "\",\"Name\":\"" + service + "\",\"Port\":8080,"
                                    + "\"Meta\":{\"seq\":\"" + seq + "\"}}")).build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("register answered " + r.statusCode());
                    }
                    firstHop = (System.nanoTime() - start) / 1_000;
                } else {
                    long sent = start;
                    acked = producer.publish(Topics.REGISTRY, id, BenchEvents.registration(id, service, 600_000, Map.of("seq", seq)))
                            .thenRun(() -> {
                                if (timed) {
                                    acknowledged.add((System.nanoTime() - sent) / 1_000);
                                }
                            });
                }
                String marker = "\"seq\":\"" + seq + "\"";
                while (true) {
                    HttpResponse<String> r = shown.get(30, TimeUnit.SECONDS);
                    index = r.headers().firstValue("X-Consul-Index").orElse(index);
                    if (r.body().contains(marker)) {
                        break;
                    }
                    shown = watch(readFrom.url(), service, index);
                }
                long micros = (System.nanoTime() - start) / 1_000;
                if (acked != null) {
                    acked.get(30, TimeUnit.SECONDS);
                }
                if (timed) {
                    (viaHttp ? overHttp : overProduce).add(micros);
                    if (viaHttp) {
                        applied.add(firstHop);
                    }
                }
            }
            String threads = ThreadCpu.now().since(cpuBefore, 8);
            double commitMs = writeTo.settings().commitInterval().toMillis();
            boolean alos = guarantee.equals(StreamsConfig.AT_LEAST_ONCE);
            for (var path : java.util.List.of(Map.entry("HTTP register", overHttp), Map.entry("plain produce", overProduce))) {
                double p50 = path.getValue().percentileMs(50);
                double p99 = path.getValue().percentileMs(99);
                String row = "8. idle propagation (" + guarantee + ", " + path.getKey() + ")";
                if (alos) {
                    runner.report().add(row, "p50 ms to visible on a second instance", p50, "target", 5, p50 / 5, "p50 <= 5 ms", p50 <= 5);
                    runner.report().add(row, "p99 ms to visible on a second instance", p99, "target", 25, p99 / 25, "p99 <= 25 ms",
                            p99 <= 25);
                } else {
                    double target = commitMs + 25;
                    runner.report().add(row, String.format(Locale.ROOT, "p99 ms to visible on a second instance (p50 %.1f)", p50), p99,
                            "target", target, p99 / target, "p99 <= " + (int) target + " ms", p99 <= target);
                }
            }
            runner.report().note("idle propagation (" + guarantee + "): " + overHttp.count() + " HTTP registers to one instance and "
                    + overProduce.count() + " plain produces, alternating, one at a time, after " + timedFrom / 2 + " of each untimed"
                    + " (until the JIT compiled under " + JitQuiet.QUIET_SHARE_PERCENT + "% of a window, " + warm.describe() + ");"
                    + " visible = a blocking query on the other instance of the same bus returns the new sequence number."
                    + String.format(Locale.ROOT, " Hops: the produce acknowledged p50 %.1f / p99 %.1f ms; the register answered, once the"
                            + " owning fold applied it, p50 %.1f / p99 %.1f ms; the rest is the second instance: woken by its own fold "
                                    + "or by"
                            + " the owner's push (a long-poll of the owner's changes), then the view's index and instances read (from "
                                    + "the owner where it holds them).",
                    acknowledged.percentileMs(50), acknowledged.percentileMs(99), applied.percentileMs(50), applied.percentileMs(99))
                    + " Cores per thread of the bench's JVM (broker, both instances, the client) while timed, from /proc: " + threads);
        }
    }

    private CompletableFuture<HttpResponse<String>> watch(String api, String service, String index) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(api + "/v1/catalog/service/" + service + "?index=" + index
                + "&wait=20s")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> fetch(String api, String service, String index) throws Exception {
        return watch(api, service, index).get(30, TimeUnit.SECONDS);
    }
}
