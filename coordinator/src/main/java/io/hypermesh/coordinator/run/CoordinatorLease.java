package io.hypermesh.coordinator.run;

import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Makes one coordinator of a platform the active one. Every coordinator joins one consumer group
 * on the single-partition {@code hypermesh.coordinator} topic; the member holding the partition is
 * active, the others stand by and the group hands the partition over when the active one dies.
 * The active one then opens the platform's transactional producer, which fences any zombie
 * predecessor, and writes the next coordinator epoch; everything it sends goes through that
 * producer, so a fenced coordinator can no longer send commands.
 */
public final class CoordinatorLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorLease.class);
    private static final String EPOCH_KEY = "epoch";

    private final KafkaAccess kafka;
    private final String platform;
    private final String coordinatorId;
    private final KafkaConsumer<String, String> membership;
    private final Thread membershipThread;
    private final CountDownLatch elected = new CountDownLatch(1);
    private volatile boolean leader;
    private volatile boolean closing;
    private final RegistryClient registry;
    private BusPublisher producer;
    private long epoch;

    /** @param registry for the schemas of what the active coordinator sends (commands, audit, phase progress) */
    public CoordinatorLease(KafkaAccess kafka, RegistryClient registry, String platform, String coordinatorId) {
        this.kafka = kafka;
        this.registry = registry;
        this.platform = platform;
        this.coordinatorId = coordinatorId;
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "hypermesh-coordinator-" + platform);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, coordinatorId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A dead coordinator is noticed after this long; 6 s is the broker's smallest allowed.
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        this.membership = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        this.membershipThread = new Thread(this::holdMembership, "coordinator-lease-" + coordinatorId);
        membershipThread.setDaemon(true);
        membershipThread.start();
    }

    private void holdMembership() {
        try {
            membership.subscribe(List.of(Topics.COORDINATOR.name()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty() && leader && !closing) {
                        LOG.warn("coordinator {} lost the lease", coordinatorId);
                        leader = false;
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // The membership is the lease; its records are read elsewhere, so it fetches nothing (an
                    // idle bus's broker answered this consumer's empty fetches twice a second).
                    membership.pause(partitions);
                    if (!partitions.isEmpty()) {
                        leader = true;
                        elected.countDown();
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    leader = false;
                }
            });
            while (!closing) {
                membership.poll(Duration.ofMillis(200));
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            membership.close(Duration.ofSeconds(2));
        }
    }

    /**
     * Blocks until this coordinator is the active one, then fences predecessors and returns the new
     * epoch. Called again once that is done, it returns the same epoch.
     */
    public synchronized long acquire(Duration timeout) throws InterruptedException {
        if (producer != null) {
            return epoch;
        }
        if (!elected.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("coordinator " + coordinatorId + " was not elected within " + timeout);
        }
        // Opening the platform's transactional producer fences every earlier coordinator's.
        producer = BusPublisher.transactional(kafka, registry, "hypermesh-coordinator-" + platform, Map.of());
        epoch = lastEpoch() + 1;
        send(List.of(new ProducerRecord<>(Topics.COORDINATOR.name(), EPOCH_KEY,
                (epoch + " " + coordinatorId).getBytes(StandardCharsets.UTF_8))));
        LOG.info("coordinator {} is active for platform {} with epoch {}", coordinatorId, platform, epoch);
        return epoch;
    }

    public long epoch() {
        return epoch;
    }

    public boolean isLeader() {
        return leader;
    }

    /** Sends records atomically as the active coordinator; fails with {@link LostLeadershipException} once it is not. */
    public synchronized void send(List<? extends ProducerRecord<String, ?>> records) {
        if (!leader || producer == null) {
            throw new LostLeadershipException("coordinator " + coordinatorId + " is not the active one", null);
        }
        try {
            producer.inTransaction(() -> records.forEach(producer::publish));
        } catch (KafkaException e) {
            leader = false;
            throw new LostLeadershipException("coordinator " + coordinatorId + " was fenced: " + e.getMessage(), e);
        }
    }

    private long lastEpoch() {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long last = 0;
        try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(Topics.COORDINATOR.name(), 0);
            reader.assign(List.of(tp));
            reader.seekToBeginning(List.of(tp));
            long end = reader.endOffsets(List.of(tp)).get(tp);
            while (reader.position(tp) < end) {
                for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
                    if (EPOCH_KEY.equals(r.key()) && r.value() != null) {
                        last = Math.max(last, Long.parseLong(r.value().split(" ")[0]));
                    }
                }
            }
        }
        return last;
    }

    @Override
    public void close() {
        closing = true;
        membership.wakeup();
        try {
            membershipThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(2));
        }
    }
}
