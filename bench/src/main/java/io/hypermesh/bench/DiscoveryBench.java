package io.hypermesh.bench;

import io.hypermesh.adapters.testing.LocalEtcd;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.UUID;

/** 4. Discovery queries against etcd range reads; 5. failure detection against the TTL; 7. agent writes against a raw produce. */
final class DiscoveryBench {
    private final BenchRunner runner;

    DiscoveryBench(BenchRunner runner) {
        this.runner = runner;
    }

    // 4. Discovery queries against etcd range reads; 5. failure detection against the TTL.
    void run() throws Exception {
        try (StreamsApp app = runner.startFolds(StreamsConfig.EXACTLY_ONCE_V2);
             LocalEtcd etcd = LocalEtcd.start(runner.etcdBinary(), Files.createDirectories(runner.work().resolve("etcd")), 1)) {
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 10; i++) {
                String body = "{\"ID\":\"q-" + i + "\",\"Name\":\"bench-svc\",\"Address\":\"10.0.0." + i + "\",\"Port\":8080,"
                        + "\"Tags\":[\"v1\"],\"Check\":{\"TTL\":\"10m\"}}";
                http.send(HttpRequest.newBuilder(URI.create(app.url() + "/v1/agent/service/register"))
                        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
                etcd.put("svc/bench-svc/q-" + i, body);
            }
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline && http.send(HttpLoad.get(app.url() + "/v1/catalog/service/bench-svc"),
                    HttpResponse.BodyHandlers.ofString()).body().split("\"ServiceID\"").length < 11) {
                Thread.sleep(100);
            }
            for (int clients : runner.selected(4) ? new int[]{1, 64} : new int[0]) {
                HttpLoad.Result bus = HttpLoad.run(clients, runner.scale().queryRun(), HttpLoad.get(app.url()
                        + "/v1/health/service/bench-svc"));
                HttpLoad.Result base = HttpLoad.run(clients, runner.scale().queryRun(), HttpLoad.post(etcd.clientUrls().get(0)
                        + "/v3/kv/range",
                        LocalEtcd.prefixRange("svc/bench-svc/")));
                runner.report().add("4. discovery, " + clients + " client(s)", "queries/s", bus.perSecond(), "etcd serializable range",
                        base.perSecond(),
                        bus.perSecond() / base.perSecond(), clients == 64 ? ">= 2.00" : "-", clients != 64
                                || bus.perSecond() >= 2 * base.perSecond());
                double p99 = bus.latencies().percentileMs(99);
                double baseP99 = base.latencies().percentileMs(99);
                runner.report().add("4. discovery, " + clients + " client(s)", "p99 ms", p99, "etcd serializable range", baseP99,
                        p99 / baseP99,
                        clients == 1 ? "<= 1.00" : "-", clients != 1 || p99 <= baseP99);
                if (bus.errors() > 0 || base.errors() > 0) {
                    runner.report().note("discovery at " + clients + " clients: " + bus.errors() + " bus errors, " + base.errors()
                            + " etcd errors");
                }
            }
            if (runner.selected(4)) {
                AuthorizeBench.run(runner, app);
            }
            if (runner.selected(5)) {
                detection(app, http);
            }
            if (runner.selected(7)) {
                writes(app, http);
                KvBench.run(runner, app, etcd);
            }
        }
    }

    /** 5. A TTL check reported passing every heartbeat, then not: the time until Consul's ?passing no longer shows it. */
    private void detection(StreamsApp app, HttpClient http) throws Exception {
        long ttlMs = 2_000;
        long heartbeatMs = 500;
        Latencies detected = new Latencies();
        for (int trial = 0; trial < runner.scale().detectionTrials(); trial++) {
            String id = "fd-" + UUID.randomUUID().toString().substring(0, 6);
            String body = "{\"ID\":\"" + id + "\",\"Name\":\"" + id + "\",\"Port\":8080,\"Check\":{\"TTL\":\"" + ttlMs + "ms\"}}";
            http.send(HttpRequest.newBuilder(URI.create(app.url() + "/v1/agent/service/register"))
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
            long last = System.nanoTime();
            for (int beat = 0; beat < 4; beat++) {
                http.send(HttpRequest.newBuilder(URI.create(app.url() + "/v1/agent/check/pass/service:" + id))
                        .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
                last = System.nanoTime();
                Thread.sleep(heartbeatMs);
            }
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                String body2 = http.send(HttpLoad.get(app.url() + "/v1/health/service/" + id + "?passing"),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (body2.equals("[]")) {
                    detected.add((System.nanoTime() - last) / 1000);
                    break;
                }
                Thread.sleep(5);
            }
        }
        double worst = detected.percentileMs(100);
        double overshoot = worst - ttlMs;
        runner.report().add("5. failure detection", "ms from last TTL report to not passing (worst of " + detected.count() + ")", worst,
                "TTL", ttlMs,
                worst / ttlMs, "beyond TTL <= 2 x heartbeat (" + 2 * heartbeatMs + " ms)", overshoot <= 2 * heartbeatMs);
        runner.report().note("failure detection: TTL " + ttlMs + " ms, a pass reported every " + heartbeatMs + " ms, lapses judged every "
                + StreamsSettings.defaults(runner.kafka().access(), "x", runner.work(), 0).expiryScanInterval().toMillis()
                        + " ms; overshoot beyond the TTL "
                + Math.round(overshoot) + " ms");
    }

    /**
     * 7. An agent write (register) answered once visible on the owning instance, one at a time,
     * against a raw acks=all produce of the same event to the same broker waited on the same way.
     */
    private void writes(StreamsApp app, HttpClient http) throws Exception {
        int count = runner.scale().detectionTrials() * 50;
        Latencies bus = new Latencies();
        Latencies raw = new Latencies();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(runner.producerConfig(), new StringSerializer(),
                new ByteArraySerializer())) {
            byte[] value = new byte[200];
            for (int i = 0; i < count + 100; i++) {
                String body = "{\"ID\":\"w-" + (i % 500) + "\",\"Name\":\"bench-writes\",\"Port\":" + (1 + i) % 65535
                        + ",\"Check\":{\"TTL\":\"10m\"}}";
                long start = System.nanoTime();
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(app.url() + "/v1/agent/service/register"))
                        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
                long took = (System.nanoTime() - start) / 1000;
                start = System.nanoTime();
                producer.send(new ProducerRecord<>("bench.raw", "w-" + (i % 500), value)).get();
                long rawTook = (System.nanoTime() - start) / 1000;
                if (i >= 100 && r.statusCode() == 200) { // the first hundred warm both paths
                    bus.add(took);
                    raw.add(rawTook);
                }
            }
        }
        for (int p : new int[]{50, 99}) {
            runner.report().add("7. agent write (register, visible)", "p" + p + " ms", bus.percentileMs(p), "raw produce acks=all",
                    raw.percentileMs(p),
                    bus.percentileMs(p) / raw.percentileMs(p), "-", true);
        }
        runner.report().note("agent writes: " + bus.count()
                + " registrations one at a time, each answered once the owning fold applied it");
    }
}
