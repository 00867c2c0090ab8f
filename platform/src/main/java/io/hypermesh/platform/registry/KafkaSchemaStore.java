package io.hypermesh.platform.registry;

import io.hypermesh.schemas.registry.RegistryException;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.hypermesh.schemas.kafka.LongPollConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The registry's state kept in a compacted single-partition topic. Every instance tails the topic
 * into its own {@link RegistryState}. Writers share one transactional id: a write begins a
 * transaction, catches up to the last stable offset, plans against that state and commits. An
 * instance that wrote since our catch-up must have called initTransactions, which fenced us, so
 * our commit fails and we retry; hence two instances never hand out the same id twice.
 */
public final class KafkaSchemaStore implements SchemaStore {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaStore.class);
    private static final int MAX_WRITE_ATTEMPTS = 8;
    private static final int TRANSACTION_TIMEOUT_MS = 10_000;

    private final Map<String, Object> clientConfig;
    private final TopicPartition partition;
    private final String transactionalId;
    private final Duration timeout;
    private final RegistryState state = new RegistryState();
    private final ReadWriteLock stateLock = new ReentrantReadWriteLock();
    private final Object positionMonitor = new Object();
    private final Object writeMutex = new Object();
    private final Admin admin;
    private final LongPollConsumer<byte[], byte[]> consumer;
    private final Thread reader;
    private volatile long position;
    private volatile boolean running = true;
    private volatile RuntimeException readerFailure;
    private KafkaProducer<byte[], byte[]> producer;

    /**
     * @param clientConfig Kafka client settings (bootstrap.servers, security) shared by admin, producer and consumer
     * @param topic        the log topic, created compacted if missing
     * @param timeout      how long a read-your-write or a write may wait for the log
     */
    public KafkaSchemaStore(Map<String, Object> clientConfig, TopicSpec<?> topic, Duration timeout) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.partition = new TopicPartition(topic.name(), 0);
        this.transactionalId = "hypermesh-schema-registry-" + topic.name();
        this.timeout = timeout;
        this.admin = Admin.create(this.clientConfig);
        TopicAdmin.ensure(admin, List.of(topic));
        Map<String, Object> consumerConfig = new HashMap<>(this.clientConfig);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "schema-registry-reader-" + System.identityHashCode(this));
        this.consumer = new LongPollConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        this.reader = new Thread(this::readLoop, "schema-registry-log-reader");
        reader.setDaemon(true);
        reader.start();
        catchUp();
    }

    @Override
    public <T> T read(Function<RegistryState, T> query) {
        try {
            return readLocked(query);
        } catch (RegistryException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            // Another instance may have just written it: read our own log to its end once more.
            catchUp();
            return readLocked(query);
        }
    }

    @Override
    public <T> T write(Function<RegistryState, SchemaRegistry.Planned<T>> operation) {
        synchronized (writeMutex) {
            KafkaException lastFailure = null;
            for (int attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
                try {
                    return writeOnce(operation);
                } catch (KafkaException e) {
                    // Fenced by another instance, or the transaction failed: it was aborted, so
                    // nothing of it is visible. Start over with a fresh producer and a fresh read.
                    boolean fenced = isFencing(e);
                    if (fenced) {
                        LOG.info("registry writer fenced by another instance (attempt {}), retrying", attempt);
                    } else {
                        LOG.warn("registry write failed (attempt {}), retrying: {}", attempt, e.toString());
                    }
                    lastFailure = e;
                    closeProducer();
                }
            }
            throw RegistryException.storeError("could not write to " + partition + " after " + MAX_WRITE_ATTEMPTS
                    + " attempts: " + lastFailure, lastFailure);
        }
    }

    private static boolean isFencing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    private <T> T writeOnce(Function<RegistryState, SchemaRegistry.Planned<T>> operation) {
        KafkaProducer<byte[], byte[]> p = producer();
        p.beginTransaction();
        SchemaRegistry.Planned<T> planned;
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try {
            catchUp();
            planned = readLocked(operation);
            if (planned.writes().isEmpty()) {
                p.abortTransaction();
                return planned.result();
            }
            for (StoreRecord record : planned.writes()) {
                StoreRecordCodec.Encoded encoded = StoreRecordCodec.encode(record);
                sent.add(p.send(new ProducerRecord<>(partition.topic(), partition.partition(), encoded.key(), encoded.value())));
            }
            p.commitTransaction();
        } catch (RuntimeException e) {
            // Whatever failed (a rule that threw, a send, the commit), the transaction must end here:
            // a producer left IN_TRANSACTION refuses every later write until restart.
            abortQuietly(p);
            if (e instanceof RegistryException || e instanceof KafkaException) {
                throw e; // ours to answer, or the retry loop's
            }
            throw RegistryException.storeError("the write failed and was rolled back: " + e, e);
        }
        long last = -1;
        try {
            for (Future<RecordMetadata> f : sent) {
                last = Math.max(last, f.get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset());
            }
        } catch (Exception e) {
            throw RegistryException.storeError("commit acknowledged but offsets unavailable", e);
        }
        awaitPosition(last + 1);
        return planned.result();
    }

    /** Ends the open transaction; a producer that cannot abort is dropped, and the next write builds a new one. */
    private void abortQuietly(KafkaProducer<byte[], byte[]> p) {
        try {
            p.abortTransaction();
        } catch (RuntimeException e) {
            LOG.warn("registry writer could not abort its transaction, replacing it: {}", e.toString());
            closeProducer();
        }
    }

    private <T> T readLocked(Function<RegistryState, T> query) {
        RuntimeException failure = readerFailure;
        if (failure != null) {
            throw RegistryException.storeError("the registry log reader stopped: " + failure.getMessage(), failure);
        }
        stateLock.readLock().lock();
        try {
            return query.apply(state);
        } finally {
            stateLock.readLock().unlock();
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Map<String, Object> config = new HashMap<>(clientConfig);
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            // Within what a broker that caps client transactions allows (the embedded one allows 15 s).
            config.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
            config.put(ProducerConfig.CLIENT_ID_CONFIG, "schema-registry-writer-" + System.identityHashCode(this));
            KafkaProducer<byte[], byte[]> created = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
            try {
                created.initTransactions();
            } catch (RuntimeException e) {
                created.close(Duration.ZERO);
                throw RegistryException.storeError("cannot initialise the registry writer: " + e.getMessage(), e);
            }
            producer = created;
        }
        return producer;
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(1));
            producer = null;
        }
    }

    /** Waits until this instance has applied every committed entry of the log. */
    private void catchUp() {
        awaitPosition(logEnd());
    }

    /**
     * The committed end of the log. On a cluster of several brokers a topic just created is not yet
     * known to every one of them, and the admin client does not retry that: this does, within the
     * timeout.
     */
    private long logEnd() {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return admin.listOffsets(Map.of(partition, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                        .partitionResult(partition).get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw RegistryException.timeout("interrupted while reading the registry log end");
            } catch (Exception e) {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
                if (!(cause instanceof org.apache.kafka.common.errors.RetriableException) || System.nanoTime() > deadline) {
                    throw RegistryException.storeError("cannot read the end of the registry log " + partition + ": " + cause, cause);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw RegistryException.timeout("interrupted while reading the registry log end");
                }
            }
        }
    }

    private void awaitPosition(long offset) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (positionMonitor) {
            while (position < offset) {
                if (readerFailure != null) {
                    throw RegistryException.storeError("the registry log reader stopped", readerFailure);
                }
                long waitMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (waitMs <= 0) {
                    throw RegistryException.timeout("registry log " + partition + " not read up to offset " + offset
                            + " within " + timeout.toMillis() + " ms (at " + position + ")");
                }
                try {
                    positionMonitor.wait(waitMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw RegistryException.timeout("interrupted while waiting for the registry log");
                }
            }
        }
    }

    private void readLoop() {
        try {
            while (running) {
                // 200 ms, not a minute: commit markers alone return no records yet move the position read-your-write awaits.
                var records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    stateLock.writeLock().lock();
                    try {
                        for (ConsumerRecord<byte[], byte[]> record : records) {
                            apply(record);
                        }
                    } finally {
                        stateLock.writeLock().unlock();
                    }
                }
                long now = consumer.position(partition);
                synchronized (positionMonitor) {
                    position = now;
                    positionMonitor.notifyAll();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                readerFailure = e;
            }
        } catch (RuntimeException e) {
            LOG.error("registry log reader failed", e);
            readerFailure = e;
        } finally {
            consumer.close();
            synchronized (positionMonitor) {
                positionMonitor.notifyAll();
            }
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        try {
            Optional<StoreRecord> decoded = StoreRecordCodec.decode(record.key(), record.value());
            if (decoded.isPresent()) {
                state.apply(decoded.get());
            } else {
                LOG.warn("skipping registry log entry of an unknown kind at {}@{}", partition, record.offset());
            }
        } catch (IllegalArgumentException e) {
            // Left in the log untouched; skipping it keeps every other subject available.
            LOG.error("skipping {} at {} offset {}", e.getMessage(), partition, record.offset());
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (writeMutex) {
            closeProducer();
        }
        admin.close(Duration.ofSeconds(2));
    }
}
