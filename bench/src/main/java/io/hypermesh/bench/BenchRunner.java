package io.hypermesh.bench;

import io.hypermesh.adapters.audit.AuditTrail;
import io.hypermesh.adapters.audit.AuditVerifier;
import io.hypermesh.adapters.audit.OneAhead;
import io.hypermesh.adapters.testing.LocalEtcd;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.Endpoint;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.audit.AuditCheckpoint;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.audit.AuditRecord;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.events.registry.Weights;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the six benchmarks of the bus, each beside a baseline measured in the same run: Kafka's own
 * ProducerPerformance on the same broker, the raw producer rate, etcd on the same machine, raw
 * SHA-256 over the same bytes. Starts its own broker, registry and folds in a work folder.
 */
public final class BenchRunner {
    /** How much load each benchmark puts on. */
    public record Scale(String name, int ingestRecords, int foldEvents, Duration latencyRun, Duration queryRun,
                        int detectionTrials, int auditRecords) {
        public static final Scale TINY = new Scale("tiny", 2_000, 1_000, Duration.ofSeconds(2), Duration.ofSeconds(1), 1, 2_000);
        // Long enough for steady state: with 50,000 fold events a run lasted two seconds, half of it
        // the first polls and commits, and the producer baseline was as short.
        public static final Scale STANDARD = new Scale("standard", 1_000_000, 300_000, Duration.ofSeconds(15), Duration.ofSeconds(5), 3, 200_000);

        public static Scale named(String name) {
            return switch (name) {
                case "tiny" -> TINY;
                case "standard" -> STANDARD;
                default -> throw new IllegalArgumentException("scale must be tiny or standard, was '" + name + "'");
            };
        }
    }

    private static final Pattern PERF_SUMMARY = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec");
    private static final int PARTITIONS = 3;

    private final Scale scale;
    private final String etcdBinary;
    private final Path work;
    private final PrintWriter log;
    private final BenchReport report;
    private EmbeddedKafka kafka;
    private SchemaRegistryService registry;

    public BenchRunner(Scale scale, String etcdBinary, Path work, PrintWriter log) {
        this.scale = scale;
        this.etcdBinary = etcdBinary;
        this.work = work;
        this.log = log;
        this.report = new BenchReport(scale.name());
    }

    /** Every benchmark. */
    public static final java.util.Set<Integer> ALL = java.util.Set.of(1, 2, 3, 4, 5, 6, 7);
    private java.util.Set<Integer> only = ALL;

    /**
     * Runs only these benchmarks (1..7) and the ones their baselines come from: the fold is
     * measured against the producer rate of 1., the latency load is a share of the fold rate of 2.
     */
    public BenchRunner only(java.util.Set<Integer> selected) {
        java.util.Set<Integer> closure = new java.util.TreeSet<>(selected);
        if (!ALL.containsAll(closure) || closure.isEmpty()) {
            throw new IllegalArgumentException("benchmarks are numbered 1 to 7, was " + selected);
        }
        if (closure.contains(3)) {
            closure.add(2);
        }
        if (closure.contains(2)) {
            closure.add(1);
        }
        this.only = closure;
        return this;
    }

    public BenchReport run() throws Exception {
        Files.createDirectories(work);
        try (EmbeddedKafka broker = EmbeddedKafka.start(work.resolve("kafka"), 0);
             SchemaRegistryService schemas = SchemaRegistryService.start(broker.clientConfig(), "127.0.0.1", 0)) {
            kafka = broker;
            registry = schemas;
            try (Admin admin = Admin.create(kafka.clientConfig())) {
                List<TopicSpec<?>> topics = new ArrayList<>(Topics.ALL);
                topics.add(new TopicSpec<>("bench.raw", PARTITIONS, (short) 1, "delete", 3_600_000L, null));
                topics.add(new TopicSpec<>("bench.bus", PARTITIONS, (short) 1, "delete", 3_600_000L, null));
                TopicAdmin.ensure(admin, topics);
            }
            if (only.contains(1)) {
                double rawRate = ingest();
                if (only.contains(2)) {
                    // One unreported fold first: JIT, RocksDB and the broker's page cache warm, so neither
                    // guarantee pays for being measured first.
                    foldRun(StreamsConfig.AT_LEAST_ONCE, Math.max(1_000, scale.foldEvents() / 5));
                    double alosRate = fold(StreamsConfig.AT_LEAST_ONCE, rawRate);
                    fold(StreamsConfig.EXACTLY_ONCE_V2, rawRate);
                    if (only.contains(3)) {
                        latency(StreamsConfig.AT_LEAST_ONCE, alosRate);
                        latency(StreamsConfig.EXACTLY_ONCE_V2, alosRate);
                    }
                }
            }
            if (only.contains(4) || only.contains(5) || only.contains(7)) {
                discoveryAndDetection();
            }
            if (only.contains(6)) {
                audit();
            }
        }
        return report;
    }

    // 1. Ingest: bus publish against Kafka's ProducerPerformance, same count, size, partitions, settings.
    private double ingest() throws Exception {
        int n = scale.ingestRecords();
        AvroSerializer<RegistryEvent> serializer = new AvroSerializer<>(new HttpRegistryClient(registry.url()), true);
        int size = serializer.serialize("bench.bus", heartbeat(0)).length;
        log.println("ingest: " + n + " records of " + size + " bytes, acks=all, " + PARTITIONS + " partitions");
        log.flush();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process perf = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.ProducerPerformance",
                "--topic", "bench.raw", "--num-records", Integer.toString(n), "--record-size", Integer.toString(size),
                "--throughput", "-1", "--producer-props", "bootstrap.servers=" + kafka.bootstrapServers(), "acks=all",
                "linger.ms=5", "batch.size=65536").redirectErrorStream(true).start();
        double rawRate = Double.NaN;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(perf.getInputStream()))) {
            for (String line; (line = out.readLine()) != null; ) {
                Matcher m = PERF_SUMMARY.matcher(line);
                if (m.find() && Long.parseLong(m.group(1)) == n) {
                    rawRate = Double.parseDouble(m.group(2));
                }
            }
        }
        perf.waitFor(10, TimeUnit.MINUTES);
        if (Double.isNaN(rawRate)) {
            throw new IllegalStateException("ProducerPerformance printed no summary (exit " + perf.exitValue() + ")");
        }
        Map<String, Object> config = producerConfig();
        long t0 = System.nanoTime();
        try (KafkaProducer<String, RegistryEvent> producer = new KafkaProducer<>(config, new StringSerializer(), serializer)) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>("bench.bus", null, heartbeat(i)));
            }
            producer.flush();
        }
        double busRate = n / ((System.nanoTime() - t0) / 1e9);
        report.add("1. ingest", "bus publish, records/s", busRate, "Kafka ProducerPerformance", rawRate, busRate / rawRate,
                ">= 0.80", busRate / rawRate >= 0.8);
        return rawRate;
    }

    // 2. Fold: from produce until the registry fold committed everything, against the raw producer rate.
    private double fold(String guarantee, double rawRate) throws Exception {
        double rate = foldRun(guarantee, scale.foldEvents());
        report.add("2. fold (" + guarantee + ")", "events/s produced and folded", rate, "raw producer (1.)", rawRate,
                rate / rawRate, ">= 0.33", rate / rawRate >= 0.33);
        return rate;
    }

    private double foldRun(String guarantee, int n) throws Exception {
        try (StreamsApp app = startFolds(guarantee)) {
            Map<String, Object> config = producerConfig();
            long t0 = System.nanoTime();
            try (KafkaProducer<String, RegistryEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
                    new AvroSerializer<>(new HttpRegistryClient(registry.url()), true))) {
                for (int i = 0; i < n; i++) {
                    String id = "fold-" + (i % 5_000);
                    producer.send(new ProducerRecord<>(Topics.REGISTRY.name(), id, registration(id, "fold", 600_000)));
                }
                producer.flush();
            }
            awaitCommitted(app.settings().applicationId(), Topics.REGISTRY.name(), Duration.ofMinutes(10));
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    static final int INSTANCES_PER_WATCHED_SERVICE = 16;

    // 3. Latency: produce to visible in the discovery API at 20% of the fold maximum, from intended send times.
    private void latency(String guarantee, double foldMax) throws Exception {
        double rate = Math.max(10, foldMax * 0.2);
        int watchers = 8;
        // Every event goes through the same broker and fold; one in probeEvery is a probe on a watched
        // service (about 200 a second), so watchers see each of their services change 25 times a
        // second, as a busy service might, and not thousands of times while nothing else registers.
        long probeEvery = Math.max(1, Math.round(rate / PROBES_PER_SECOND));
        String run = UUID.randomUUID().toString().substring(0, 6);
        try (StreamsApp app = startFolds(guarantee)) {
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
            long total = (long) (rate * scale.latencyRun().toMillis() / 1000.0);
            long intervalNanos = (long) (1e9 / rate);
            long probes = 0;
            Map<String, Object> config = producerConfig();
            config.put(ProducerConfig.LINGER_MS_CONFIG, 0); // timed from the send call: no waiting for a batch to fill
            try (KafkaProducer<String, RegistryEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
                    new AvroSerializer<>(new HttpRegistryClient(registry.url()), true))) {
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
                        producer.send(new ProducerRecord<>(Topics.REGISTRY.name(), id, registration(id, "bg-" + run + "-" + (i % 250), 600_000)));
                        continue;
                    }
                    // A fixed pool of instances per watched service, re-registered with a new sequence number:
                    // each view stays small, so what is timed is the pipeline, not an ever longer answer.
                    long p = probes++;
                    String id = "lat-" + run + "-" + (p % (watchers * INSTANCES_PER_WATCHED_SERVICE));
                    String seq = Long.toString(p);
                    intended.put(seq, due);
                    producer.send(new ProducerRecord<>(Topics.REGISTRY.name(), id, registration(id, "lat-" + run + "-" + (p % watchers), 600_000,
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
            report.add("3. latency (" + guarantee + ")", String.format(java.util.Locale.ROOT,
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

    // 4. Discovery queries against etcd range reads; 5. failure detection against the TTL.
    private void discoveryAndDetection() throws Exception {
        try (StreamsApp app = startFolds(StreamsConfig.EXACTLY_ONCE_V2);
             LocalEtcd etcd = LocalEtcd.start(etcdBinary, Files.createDirectories(work.resolve("etcd")), 1)) {
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
            for (int clients : only.contains(4) ? new int[]{1, 64} : new int[0]) {
                HttpLoad.Result bus = HttpLoad.run(clients, scale.queryRun(), HttpLoad.get(app.url() + "/v1/health/service/bench-svc"));
                HttpLoad.Result base = HttpLoad.run(clients, scale.queryRun(), HttpLoad.post(etcd.clientUrls().get(0) + "/v3/kv/range",
                        LocalEtcd.prefixRange("svc/bench-svc/")));
                report.add("4. discovery, " + clients + " client(s)", "queries/s", bus.perSecond(), "etcd serializable range", base.perSecond(),
                        bus.perSecond() / base.perSecond(), clients == 64 ? ">= 2.00" : "-", clients != 64 || bus.perSecond() >= 2 * base.perSecond());
                double p99 = bus.latencies().percentileMs(99);
                double baseP99 = base.latencies().percentileMs(99);
                report.add("4. discovery, " + clients + " client(s)", "p99 ms", p99, "etcd serializable range", baseP99, p99 / baseP99,
                        clients == 1 ? "<= 1.00" : "-", clients != 1 || p99 <= baseP99);
                if (bus.errors() > 0 || base.errors() > 0) {
                    report.note("discovery at " + clients + " clients: " + bus.errors() + " bus errors, " + base.errors() + " etcd errors");
                }
            }
            if (only.contains(5)) {
                detection(app, http);
            }
            if (only.contains(7)) {
                writes(app, http);
            }
        }
    }

    /** 5. A TTL check reported passing every heartbeat, then not: the time until Consul's ?passing no longer shows it. */
    private void detection(StreamsApp app, HttpClient http) throws Exception {
        long ttlMs = 2_000;
        long heartbeatMs = 500;
        Latencies detected = new Latencies();
        for (int trial = 0; trial < scale.detectionTrials(); trial++) {
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
                String body2 = http.send(HttpLoad.get(app.url() + "/v1/health/service/" + id + "?passing"), HttpResponse.BodyHandlers.ofString()).body();
                if (body2.equals("[]")) {
                    detected.add((System.nanoTime() - last) / 1000);
                    break;
                }
                Thread.sleep(5);
            }
        }
        double worst = detected.percentileMs(100);
        double overshoot = worst - ttlMs;
        report.add("5. failure detection", "ms from last TTL report to not passing (worst of " + detected.count() + ")", worst, "TTL", ttlMs,
                worst / ttlMs, "beyond TTL <= 2 x heartbeat (" + 2 * heartbeatMs + " ms)", overshoot <= 2 * heartbeatMs);
        report.note("failure detection: TTL " + ttlMs + " ms, a pass reported every " + heartbeatMs + " ms, lapses judged every "
                + StreamsSettings.defaults(kafka.access(), "x", work, 0).expiryScanInterval().toMillis() + " ms; overshoot beyond the TTL "
                + Math.round(overshoot) + " ms");
    }

    /**
     * 7. An agent write (register) answered once visible on the owning instance, one at a time,
     * against a raw acks=all produce of the same event to the same broker waited on the same way.
     */
    private void writes(StreamsApp app, HttpClient http) throws Exception {
        int count = scale.detectionTrials() * 50;
        Latencies bus = new Latencies();
        Latencies raw = new Latencies();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer())) {
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
            report.add("7. agent write (register, visible)", "p" + p + " ms", bus.percentileMs(p), "raw produce acks=all", raw.percentileMs(p),
                    bus.percentileMs(p) / raw.percentileMs(p), "-", true);
        }
        report.note("agent writes: " + bus.count() + " registrations one at a time, each answered once the owning fold applied it");
    }

    // 6. Audit: append-and-sign and verify, against raw SHA-256 over the same canonical bytes.
    private void audit() {
        int n = scale.auditRecords();
        Ed25519PrivateKeyParameters key = AuditTrail.newKey();
        AuditTrail trail = new AuditTrail("bench-adapter", key, 1_000);
        List<Object> events = new ArrayList<>(n + n / 1_000 + 1);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            events.addAll(trail.append("bench", "observe", "target-" + i, AuditOutcome.OBSERVED, Map.of("i", Integer.toString(i))).events());
        }
        double appendRate = n / ((System.nanoTime() - t0) / 1e9);
        MessageDigest sha = io.hypermesh.adapters.audit.MerkleFrontier.sha256OrFail();
        byte[][] payloads = new byte[n][];
        for (int i = 0; i < n; i++) {
            payloads[i] = AuditTrail.canonical("bench-adapter", i + 1, "bench", "observe", "target-" + i, AuditOutcome.OBSERVED,
                    Map.of("i", Integer.toString(i)));
        }
        // Alternating rounds, median of each: one pass over a few hundred thousand small records is
        // a fraction of a second, at the mercy of JIT and the other core.
        double[] verifyRates = new double[AUDIT_ROUNDS];
        double[] rawRates = new double[AUDIT_ROUNDS];
        byte[] sink = new byte[32];
        for (int round = 0; round < AUDIT_ROUNDS; round++) {
            AuditVerifier verifier = new AuditVerifier(Map.of(AuditTrail.keyId(key), key.generatePublicKey()));
            long t1 = System.nanoTime();
            // As `hypermesh audit verify` does: the next batch's leaves hashed on a second thread while
            // this one checks the batch before in order.
            // The prepared batch travels with its leaves, so the check reads exactly what was hashed.
            try (OneAhead<List<Object>, Map.Entry<List<Object>, byte[][]>> pipeline = new OneAhead<>(batch -> Map.entry(batch,
                    AuditVerifier.leaves(batch.stream().filter(AuditRecord.class::isInstance).map(AuditRecord.class::cast).toList())), prepared -> {
                        byte[][] leaves = prepared.getValue();
                        int hashed = 0;
                        for (Object e : prepared.getKey()) {
                            var broken = e instanceof AuditRecord r ? verifier.record(r, leaves[hashed++]) : verifier.checkpoint((AuditCheckpoint) e);
                            if (broken.isPresent()) {
                                throw new IllegalStateException("benchmark trail does not verify: " + broken.get());
                            }
                        }
                    })) {
                for (int from = 0; from < events.size(); from += VERIFY_BATCH) {
                    pipeline.accept(events.subList(from, Math.min(events.size(), from + VERIFY_BATCH)));
                }
                pipeline.finish();
            }
            verifyRates[round] = n / ((System.nanoTime() - t1) / 1e9);
            long t2 = System.nanoTime();
            for (byte[] p : payloads) {
                sink = sha.digest(p);
            }
            rawRates[round] = n / ((System.nanoTime() - t2) / 1e9);
        }
        if (sink.length != 32) {
            throw new IllegalStateException();
        }
        double verifyRate = median(verifyRates);
        double rawRate = median(rawRates);
        report.add("6. audit", "append and sign, records/s", appendRate, "raw SHA-256", rawRate, appendRate / rawRate, "-", true);
        report.add("6. audit", "verify, records/s", verifyRate, "raw SHA-256", rawRate, verifyRate / rawRate, ">= 0.50", verifyRate / rawRate >= 0.5);
    }

    private static final int AUDIT_ROUNDS = 7;
    /** Records per verification batch: what one poll of the audit topic returns (max.poll.records). */
    private static final int VERIFY_BATCH = 2_000;

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private StreamsApp startFolds(String guarantee) throws Exception {
        StreamsSettings settings = StreamsSettings.defaults(kafka.access(), registry.url(),
                        Files.createTempDirectory(work, "folds-"), 0)
                .withApplicationId("bench-" + guarantee + "-" + UUID.randomUUID().toString().substring(0, 6))
                .withProcessingGuarantee(guarantee)
                .withExtra(StreamsConfig.mainConsumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "latest");
        StreamsApp app = StreamsApp.start(settings, new HttpRegistryClient(registry.url()));
        app.awaitRunning(Duration.ofMinutes(2));
        Thread.sleep(1_000);
        return app;
    }

    private void awaitCommitted(String group, String topic, Duration timeout) throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < Topics.REGISTRY.partitions(); p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                boolean done = ends.entrySet().stream().allMatch(e -> {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    return c != null && c.offset() >= e.getValue().offset();
                });
                if (done) {
                    return;
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("group " + group + " did not catch up with " + topic + " within " + timeout);
        }
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(kafka.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 65_536);
        return config;
    }

    private static RegistryEvent heartbeat(int i) {
        return RegistryEvent.newBuilder().setEventId("e-" + i).setSource(new EventSource("bench", ComponentKind.SERVICE))
                .setOccurredAt(Instant.now()).setTraceId(null).setPayload(new ServiceHeartbeat("inst-" + (i % 1000), "bench")).build();
    }

    private static RegistryEvent registration(String id, String service, long ttlMs) {
        return registration(id, service, ttlMs, Map.of());
    }

    private static RegistryEvent registration(String id, String service, long ttlMs, Map<String, String> metadata) {
        return RegistryEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSource(new EventSource("bench", ComponentKind.SERVICE))
                .setOccurredAt(Instant.now()).setTraceId(null)
                .setPayload(ServiceRegistered.newBuilder().setInstanceId(id).setServiceName(service)
                        .setEndpoint(new Endpoint("10.0.0.1", 8080, "tcp")).setTags(List.of()).setWeights(new Weights(1, 1))
                        .setMetadata(metadata).setTtlMs(ttlMs).build()).build();
    }
}
