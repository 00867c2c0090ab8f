package io.hypermesh.bench;

import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.app.StreamsApp;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** 3. Latency: produce to visible in the discovery API at 20% of the fold maximum, from intended send times. */
final class LatencyBench {
    private final BenchRunner runner;

    LatencyBench(BenchRunner runner) {
        this.runner = runner;
    }

    static final int INSTANCES_PER_WATCHED_SERVICE = 16;

    // 3. Latency: produce to visible in the discovery API at 20% of the fold maximum, from intended send times.
    void run(String guarantee, double foldMax) throws Exception {
        double rate = Math.max(10, foldMax * 0.2);
        int watchers = 8;
        // Every event goes through the same broker and fold; one in probeEvery is a probe on a watched
        // service (about 200 a second), so watchers see each of their services change 25 times a
        // second, as a busy service might, and not thousands of times while nothing else registers.
        long probeEvery = Math.max(1, Math.round(rate / PROBES_PER_SECOND));
        String run = UUID.randomUUID().toString().substring(0, 6);
        try (StreamsApp app = runner.startFolds(guarantee)) {
            Map<String, Long> intended = new ConcurrentHashMap<>();
            Latencies latencies = new Latencies();
            AtomicBoolean stop = new AtomicBoolean();
            for (int w = 0; w < watchers; w++) {
                String service = "lat-" + run + "-" + w;
                Thread t = new Thread(() -> watch(app.url(), service, intended, latencies, stop), "watch-" + w);
                t.setDaemon(true);
                t.start();
            }
            Thread.sleep(500);
            long total = (long) (rate * runner.scale().latencyRun().toMillis() / 1000.0);
            long intervalNanos = (long) (1e9 / rate);
            long probes = 0;
            // Timed from the send call: no waiting for a batch to fill.
            try (BusPublisher producer = BusPublisher.idempotent(runner.kafka().access(), new HttpRegistryClient(runner.registry().url()),
                    Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
                long start = System.nanoTime();
                for (long i = 0; i < total; i++) {
                    long due = start + i * intervalNanos;
                    long now;
                    while ((now = System.nanoTime()) < due) {
                        if (due - now > 200_000) {
                            Thread.sleep(0, 100_000);
                        }
                    }
                    if (i % probeEvery != 0) {
                        String id = "bg-" + run + "-" + (i % 5_000);
                        producer.publish(new ProducerRecord<>(Topics.REGISTRY.name(), id, BenchRunner.registration(id, "bg-" + run + "-" + (i % 250), 600_000)));
                        continue;
                    }
                    // A fixed pool of instances per watched service, re-registered with a new sequence number:
                    // each view stays small, so what is timed is the pipeline, not an ever longer answer.
                    long p = probes++;
                    String id = "lat-" + run + "-" + (p % (watchers * INSTANCES_PER_WATCHED_SERVICE));
                    String seq = Long.toString(p);
                    intended.put(seq, due);
                    producer.publish(new ProducerRecord<>(Topics.REGISTRY.name(), id, BenchRunner.registration(id, "lat-" + run + "-" + (p % watchers), 600_000,
                            Map.of("seq", seq))));
                }
                producer.flush();
            }
            long deadline = System.currentTimeMillis() + 60_000;
            while (latencies.count() < probes && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            stop.set(true);
            double commitMs = app.settings().commitInterval().toMillis();
            double target = guarantee.equals(StreamsConfig.AT_LEAST_ONCE) ? 25 : commitMs + 25;
            double p99 = latencies.percentileMs(99);
            runner.report().add("3. latency (" + guarantee + ")", String.format(java.util.Locale.ROOT,
                            "p99 ms at %.0f events/s, 20%% of the fold maximum (p50 %.1f, p99.9 %.1f; %d of %d probes seen)",
                            rate, latencies.percentileMs(50), latencies.percentileMs(99.9), latencies.count(), probes),
                    p99, "target", target, p99 / target, "p99 <= " + (int) target + " ms", p99 <= target);
        }
    }

    /** Probe events per second in the latency benchmark, spread over the watched services. */
    static final int PROBES_PER_SECOND = 200;

    private static void watch(String api, String service, Map<String, Long> intended, Latencies latencies, AtomicBoolean stop) {
        HttpClient http = HttpClient.newHttpClient();
        Set<String> seen = new HashSet<>();
        String index = "0";
        Pattern seqs = Pattern.compile("\"seq\":\"(\\d+)\"");
        while (!stop.get()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/v1/catalog/service/" + service
                        + "?index=" + index + "&wait=5s")).build(), HttpResponse.BodyHandlers.ofString());
                long now = System.nanoTime();
                index = r.headers().firstValue("X-Consul-Index").orElse("0");
                Matcher m = seqs.matcher(r.body());
                while (m.find()) {
                    String seq = m.group(1);
                    Long due = intended.get(seq);
                    if (due != null && seen.add(seq)) {
                        latencies.add((now - due) / 1000);
                    }
                }
            } catch (Exception e) {
                if (stop.get()) {
                    return;
                }
            }
        }
    }
}
