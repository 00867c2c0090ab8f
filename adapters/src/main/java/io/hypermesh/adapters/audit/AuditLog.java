package io.hypermesh.adapters.audit;

import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.events.audit.AuditCheckpoint;
import org.apache.avro.specific.SpecificRecord;
import io.hypermesh.events.audit.AuditEvent;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

import java.nio.charset.StandardCharsets;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Reads an audit topic from its first record to its end as it stands now (committed records only)
 * to verify every adapter's trail or to re-emit a filtered range of it.
 */
public final class AuditLog {
    private final KafkaAccess kafka;
    private final RegistryClient registry;
    private final String topic;

    public AuditLog(KafkaAccess kafka, RegistryClient registry, String topic) {
        this.kafka = kafka;
        this.registry = registry;
        this.topic = topic;
    }

    /** Told how far a scan is: records read so far of the total there were when it began. */
    public interface Progress {
        Progress NONE = (read, total) -> { };

        void at(long read, long total);
    }

    /** The first place one adapter's trail breaks. */
    public record Break(String adapterId, int partition, long offset, String reason) {
        @Override
        public String toString() {
            return adapterId + ": " + reason + " at " + "partition " + partition + " offset " + offset;
        }
    }

    /** Where one adapter's trail ends: how many records, and how many of them a verified signature covers. */
    public record Trail(String adapterId, long records, long signedRecords, long checkpoints) {
    }

    public record Report(long read, List<Trail> trails, List<Break> breaks) {
        public boolean intact() {
            return breaks.isEmpty();
        }
    }

    /**
     * Verifies every trail on the topic. Records after an adapter's last checkpoint are a break
     * (a truncated or unsealed tail) once the newest of them is older than {@code sealGrace}, since a
     * live writer signs within its checkpoint interval; {@code expectedSizes} names trail sizes known
     * from an earlier run, so a tail cut back to an older checkpoint is caught too.
     */
    public Report verify(Map<String, Ed25519PublicKeyParameters> keys, Duration sealGrace, Map<String, Long> expectedSizes,
                         Progress progress) {
        return verify(keys, sealGrace, expectedSizes, java.util.Set.of(), progress);
    }

    /** As {@link #verify(Map, Duration, Map, Progress)}, for the named adapters only (all when none are named). */
    public Report verify(Map<String, Ed25519PublicKeyParameters> keys, Duration sealGrace, Map<String, Long> expectedSizes,
                         java.util.Set<String> adapters, Progress progress) {
        AvroDeserializer<AuditEvent> decoder = new AvroDeserializer<>(registry, AuditEvent.class);
        Map<String, AuditVerifier> verifiers = new LinkedHashMap<>();
        Map<String, Break> breaks = new LinkedHashMap<>();
        Map<String, long[]> signed = new HashMap<>();
        Map<String, ConsumerRecord<byte[], byte[]>> firstUnsealed = new HashMap<>();
        Map<String, Long> newest = new HashMap<>();
        // Decoding and leaf hashing of the next poll run on a second thread while this one checks
        // the poll before in log order.
        OneAhead<List<ConsumerRecord<byte[], byte[]>>, Decoded> pipeline = new OneAhead<>(batch -> Decoded.of(batch, decoder), decoded -> {
            for (int i = 0; i < decoded.records().size(); i++) {
                ConsumerRecord<byte[], byte[]> r = decoded.records().get(i);
                AuditEvent event = decoded.events()[i];
                if (event == null) {
                    String adapter = r.key() == null ? "?" : key(r);
                    if (adapters.isEmpty() || adapters.contains(adapter)) {
                        breaks.putIfAbsent(adapter, new Break(adapter, r.partition(), r.offset(), "undecodable record: "
                                + decoded.errors()[i]));
                    }
                    continue;
                }
                String adapter = event.getPayload() instanceof AuditCheckpoint c ? c.getAdapterId()
                        : AuditVerifier.Stored.of((SpecificRecord) event.getPayload()).adapterId();
                if (breaks.containsKey(adapter) || (!adapters.isEmpty() && !adapters.contains(adapter))) {
                    continue;
                }
                AuditVerifier verifier = verifiers.computeIfAbsent(adapter, k -> new AuditVerifier(keys));
                Optional<String> problem;
                if (!adapter.equals(key(r))) {
                    problem = Optional.of("record keyed '" + key(r) + "' claims to belong to adapter " + adapter);
                } else if (!(event.getPayload() instanceof AuditCheckpoint)) {
                    problem = verifier.record((SpecificRecord) event.getPayload(), decoded.leaves()[i]);
                    if (problem.isEmpty()) {
                        firstUnsealed.putIfAbsent(adapter, r);
                        newest.put(adapter, r.timestamp());
                    }
                } else {
                    problem = verifier.checkpoint((AuditCheckpoint) event.getPayload());
                    if (problem.isEmpty()) {
                        signed.computeIfAbsent(adapter, k -> new long[1])[0] = verifier.verifiedRecords();
                        firstUnsealed.remove(adapter);
                    }
                }
                problem.ifPresent(p -> breaks.put(adapter, new Break(adapter, r.partition(), r.offset(), p)));
            }
        });
        long read;
        try (pipeline) {
            read = scanBatches(progress, pipeline::accept);
            pipeline.finish();
        }
        List<Trail> trails = new ArrayList<>();
        verifiers.forEach((adapter, v) -> {
            long signedRecords = signed.getOrDefault(adapter, new long[1])[0];
            trails.add(new Trail(adapter, v.verifiedRecords(), signedRecords, v.verifiedCheckpoints()));
            ConsumerRecord<byte[], byte[]> unsealed = firstUnsealed.get(adapter);
            if (!breaks.containsKey(adapter) && unsealed != null
                    && newest.get(adapter) < System.currentTimeMillis() - sealGrace.toMillis()) {
                breaks.put(adapter, new Break(adapter, unsealed.partition(), unsealed.offset(), "records " + (signedRecords + 1) + ".."
                        + v.verifiedRecords() + " are not covered by a signed checkpoint (truncated or unsealed tail)"));
            }
        });
        expectedSizes.forEach((adapter, size) -> {
            AuditVerifier v = verifiers.get(adapter);
            long have = v == null ? 0 : v.verifiedRecords();
            if (!breaks.containsKey(adapter) && have < size) {
                breaks.put(adapter, new Break(adapter, -1, -1, "trail holds " + have + " records, " + size + " were expected (truncated)"));
            }
        });
        return new Report(read, trails, List.copyOf(breaks.values()));
    }

    /**
     * The trail of one writer as far as the log holds it, ready to be appended to: its records are
     * read (committed only, from the one partition its key maps to) and adopted in order. Call it
     * after fencing earlier instances of the writer. Other writers' records are not decoded, so a
     * bad record of theirs cannot stop this one.
     */
    public AuditTrail resume(String writerId, Ed25519PrivateKeyParameters key, int checkpointEvery) {
        AuditTrail trail = new AuditTrail(writerId, key, checkpointEvery);
        AvroDeserializer<AuditEvent> decoder = new AvroDeserializer<>(registry, AuditEvent.class);
        byte[] writerKey = writerId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            int partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).size();
            TopicPartition partition = new TopicPartition(topic, org.apache.kafka.common.utils.Utils.toPositive(
                    org.apache.kafka.common.utils.Utils.murmur2(writerKey)) % partitions);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumer.position(partition) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the audit trail of " + writerId + " within 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (java.util.Arrays.equals(writerKey, r.key()) && !(decoder.deserialize(r.topic(),
                            r.value()).getPayload() instanceof AuditCheckpoint)) {
                        SpecificRecord stored = (SpecificRecord) decoder.deserialize(r.topic(), r.value()).getPayload();
                        if (writerId.equals(AuditVerifier.Stored.of(stored).adapterId())) {
                            trail.adopt(stored);
                        }
                    }
                }
            }
        }
        return trail;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return config;
    }

    /** Which records a replay keeps. */
    public record Filter(Instant from, Instant to, String adapterId, String actor, String action) {
        Predicate<GenericRecord> asPredicate() {
            return AuditRecords.kept(this);
        }
    }

    /** Writes the kept records as JSON lines; returns how many. */
    public long replayAsJson(Filter filter, PrintWriter out, Progress progress) {
        AvroDeserializer<GenericRecord> decoder = new AvroDeserializer<>(registry, null);
        Predicate<GenericRecord> keep = filter.asPredicate();
        long[] kept = {0};
        scan(progress, r -> {
            GenericRecord event = decoder.deserialize(r.topic(), r.value());
            if (keep.test(event)) {
                out.println(AuditRecords.json(event));
                kept[0]++;
            }
        });
        out.flush();
        return kept[0];
    }

    /** Copies the kept records, bytes unchanged (same schema ids, keys and timestamps), to another topic; returns how many. */
    public long replayToTopic(Filter filter, String target, Progress progress) {
        AvroDeserializer<GenericRecord> decoder = new AvroDeserializer<>(registry, null);
        Predicate<GenericRecord> keep = filter.asPredicate();
        long[] kept = {0};
        try (BusPublisher producer = BusPublisher.idempotent(kafka, registry)) {
            scan(progress, r -> {
                if (keep.test(decoder.deserialize(r.topic(), r.value()))) {
                    // Bytes go as they are; the keys are the adapters' ids, UTF-8 strings.
                    String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                    producer.publish(new ProducerRecord<>(target, null, r.timestamp(), key, r.value(), r.headers()));
                    kept[0]++;
                }
            });
            producer.flush();
        }
        return kept[0];
    }

    /** One poll decoded, with the leaf hash of each audit record (null for checkpoints and undecodable records). */
    private record Decoded(List<ConsumerRecord<byte[], byte[]>> records, AuditEvent[] events, String[] errors, byte[][] leaves) {
        static Decoded of(List<ConsumerRecord<byte[], byte[]>> batch, AvroDeserializer<AuditEvent> decoder) {
            int n = batch.size();
            Decoded d = new Decoded(batch, new AuditEvent[n], new String[n], new byte[n][]);
            for (int i = 0; i < n; i++) {
                ConsumerRecord<byte[], byte[]> r = batch.get(i);
                try {
                    d.events[i] = decoder.deserialize(r.topic(), r.value());
                } catch (RuntimeException e) {
                    d.errors[i] = e.getMessage();
                    continue;
                }
                if (!(d.events[i].getPayload() instanceof AuditCheckpoint)) {
                    d.leaves[i] = AuditVerifier.leaf((SpecificRecord) d.events[i].getPayload());
                }
            }
            return d;
        }
    }

    private interface RecordHandler {
        void handle(ConsumerRecord<byte[], byte[]> record);
    }

    private interface BatchHandler {
        void handle(List<ConsumerRecord<byte[], byte[]>> batch);
    }

    private long scan(Progress progress, RecordHandler handler) {
        return scanBatches(progress, batch -> batch.forEach(handler::handle));
    }

    /** Every committed record of the topic up to its end when the scan began, partition by partition in offset order, a poll at a time. */
    private long scanBatches(Progress progress, BatchHandler handler) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition()))
                    .sorted(java.util.Comparator.comparingInt(TopicPartition::partition)).toList();
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long total = partitions.stream().mapToLong(p -> end.get(p) - begin.get(p)).sum();
            long read = 0;
            long passed = 0; // offsets of finished partitions: progress counts offsets, as transaction markers take some too
            progress.at(0, total);
            // One partition at a time: an adapter's trail lives in one partition, in order.
            for (TopicPartition partition : partitions) {
                consumer.assign(List.of(partition));
                consumer.seek(partition, begin.get(partition));
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while (consumer.position(partition) < end.get(partition)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("could not read " + partition + " to offset " + end.get(partition));
                    }
                    List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.offset() >= end.get(partition)) {
                            break;
                        }
                        batch.add(r);
                    }
                    handler.handle(batch);
                    read += batch.size();
                    progress.at(passed + Math.min(consumer.position(partition), end.get(partition)) - begin.get(partition), total);
                }
                passed += end.get(partition) - begin.get(partition);
            }
            progress.at(total, total);
            return read;
        }
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
