package io.hypermesh.bench;

import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.BusSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the latency benchmark measures the bus against, under the same load from the same
 * generator: the least Kafka Streams fold of the registrations with the bus's settings, read back
 * when it stored a probe ({@link StreamsFloor}), and a plain consumer that decodes each record.
 */
final class LatencyFloors {
    private LatencyFloors() {
    }

    /** Something the latency runs measure: started once, then followed run by run. */
    interface Subject extends AutoCloseable {
        /** Times the probes of {@code run} (on {@code watchers} services) into {@code latencies} until the handle is closed. */
        AutoCloseable follow(String run, int watchers, Latencies latencies) throws Exception;
    }

    /** The Streams floor under {@code applicationId}; a probe counts once its key is read back from the floor's store. */
    static Subject streams(BenchRunner runner, String guarantee, String applicationId) throws Exception {
        BlockingQueue<String> stored = new LinkedBlockingQueue<>();
        StreamsFloor floor = StreamsFloor.start(runner.settings(guarantee, applicationId), new HttpRegistryClient(runner.registry().url()),
                key -> {
                    if (key.startsWith("lat-")) {
                        stored.add(key);
                    }
                });
        return new Subject() {
            @Override
            public AutoCloseable follow(String run, int watchers, Latencies latencies) {
                AtomicBoolean stop = new AtomicBoolean();
                Set<String> seen = new HashSet<>();
                Thread reader = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            String key = stored.poll(100, TimeUnit.MILLISECONDS);
                            ServiceRegistered probe = key == null || !key.startsWith("lat-" + run + "-") ? null : floor.get(key);
                            if (probe != null) {
                                seen(probe.getMetadata(), seen, latencies);
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "floor-reader");
                reader.setDaemon(true);
                reader.start();
                return () -> {
                    stop.set(true);
                    reader.join(5_000);
                };
            }

            @Override
            public void close() {
                floor.close();
            }
        };
    }

    /** A plain consumer of the registry topic from its end, made for each run, decoding every record with the bus's deserializer. */
    static Subject rawConsume(BenchRunner runner) {
        return new Subject() {
            @Override
            public AutoCloseable follow(String run, int watchers, Latencies latencies) {
                return rawConsume(runner, run, latencies);
            }

            @Override
            public void close() {
            }
        };
    }

    private static AutoCloseable rawConsume(BenchRunner runner, String run, Latencies latencies) {
        Map<String, Object> config = new HashMap<>(runner.kafka().clientConfig());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        var events = new BusSerdes(new HttpRegistryClient(runner.registry().url())).of(RegistryEvent.class);
        KafkaConsumer<String, RegistryEvent> consumer = new KafkaConsumer<>(config, new StringDeserializer(), events.deserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < Topics.REGISTRY.partitions(); p++) {
            partitions.add(new TopicPartition(Topics.REGISTRY.name(), p));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // where the end is now, before the load starts
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> seen = new HashSet<>();
        String probes = "lat-" + run + "-";
        Thread poller = new Thread(() -> {
            try (consumer) {
                while (!stop.get()) {
                    for (ConsumerRecord<String, RegistryEvent> record : consumer.poll(Duration.ofMillis(100))) {
                        if (record.key() != null && record.key().startsWith(probes)
                                && record.value().getPayload() instanceof ServiceRegistered probe) {
                            seen(probe.getMetadata(), seen, latencies);
                        }
                    }
                }
            }
        }, "raw-consumer");
        poller.setDaemon(true);
        poller.start();
        return () -> {
            stop.set(true);
            poller.join(5_000);
        };
    }

    /** Times a probe from when it was due, the first time its sequence number is seen. */
    private static void seen(Map<String, String> metadata, Set<String> seen, Latencies latencies) {
        long age = LoadGenerator.firstSeenAgeMicros(metadata.get("seq"), metadata.get(LoadGenerator.DUE_MICROS), seen,
                LoadGenerator.nowMicros());
        if (age >= 0) {
            latencies.add(age);
        }
    }
}
