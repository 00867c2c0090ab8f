package io.hypermesh.adapters.audit;

import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.topics.BusAcls;
import io.hypermesh.schemas.topics.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How an adapter writes to the bus: every event goes out in one Kafka transaction together with
 * the audit record that says who did or saw what, so the log never holds an event without its
 * audit record or the other way round. One writer thread batches whatever is queued into one
 * transaction (many events per commit), appends to the adapter's {@link AuditTrail} in log order,
 * and adds a signed checkpoint every N records or T ms. The transactional id is the adapter's, so a
 * second instance of the same adapter fences the first rather than forking its chain. On start the
 * trail is continued from the records already on the audit topic.
 */
public final class AuditedPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditedPublisher.class);
    private static final int MAX_BATCH = 500;
    private static final int ATTEMPTS = 5;

    /**
     * Who the adapter is, how it reaches the bus (with its own identity on a secured one), and how
     * often it signs.
     */
    public record Settings(String adapterId, ComponentKind kind, KafkaAccess kafka, RegistryClient registry,
                           Ed25519PrivateKeyParameters key, int checkpointEvery, Duration checkpointInterval) {
    }

    /** One audited action: who, what, on what, how it ended, and any detail worth keeping. */
    public record Action(String actor, String action, String target, AuditOutcome outcome, Map<String, String> details) {
        public static Action observed(String actor, String action, String target, Map<String, String> details) {
            return new Action(actor, action, target, AuditOutcome.OBSERVED, details);
        }
    }

    private record Pending(ProducerRecord<String, SpecificRecord> event, Action action, CompletableFuture<Void> done) {
    }

    private static final Pending CHECKPOINT = new Pending(null, null, null);

    private final Settings settings;
    private final EventSource source;
    private BusPublisher producer;
    private AuditTrail trail;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "audit-checkpoint-timer");
        t.setDaemon(true);
        return t;
    });
    private final Thread writer;
    private volatile boolean open = true;
    private volatile Throwable fatal;

    private AuditedPublisher(Settings settings) {
        this.settings = settings;
        this.source = new EventSource(settings.adapterId(), settings.kind());
        this.writer = new Thread(this::write, "audit-writer-" + settings.adapterId());
        writer.setDaemon(true);
    }

    /** Fences any earlier instance of this adapter, continues its trail from the log, and starts writing. */
    public static AuditedPublisher open(Settings settings) {
        AuditedPublisher publisher = new AuditedPublisher(settings);
        // Opening fences any earlier instance: none can still commit to the trail being continued.
        publisher.producer = BusPublisher.transactional(settings.kafka(), settings.registry(),
                BusAcls.transactionalId(settings.kind(), settings.adapterId()),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.CLIENT_ID_CONFIG, "adapter-" + settings.adapterId()));
        try {
            publisher.trail = new AuditLog(settings.kafka(), settings.registry(), Topics.AUDIT.name())
                    .resume(settings.adapterId(), settings.key(), settings.checkpointEvery());
        } catch (RuntimeException e) {
            publisher.producer.close(Duration.ZERO);
            throw e;
        }
        publisher.writer.start();
        long every = settings.checkpointInterval().toMillis();
        publisher.timer.scheduleAtFixedRate(() -> publisher.queue.offer(CHECKPOINT), every, every, TimeUnit.MILLISECONDS);
        return publisher;
    }

    public EventSource source() {
        return source;
    }

    /** How the adapter reaches the bus: for an input it reads from the bus itself. */
    public KafkaAccess kafka() {
        return settings.kafka();
    }

    public RegistryClient registry() {
        return settings.registry();
    }

    /** The adapter's identity for HTTPS: the certificate its Kafka settings name, if any. */
    public io.hypermesh.http.HttpTls httpTls() {
        return new io.hypermesh.http.HttpTls(settings.kafka().tls());
    }

    public String adapterId() {
        return settings.adapterId();
    }

    /** The last sequence number written (or continued from the log). */
    public synchronized long sequence() {
        return trail.sequence();
    }

    /** Where this adapter's previous run stood in an input, as its last committed record says ({@link AuditTrail#RESUME_PREFIX}). */
    public synchronized java.util.Optional<String> resumeMark(String name) {
        return trail.resumeMark(name);
    }

    /** Publishes an event and its audit record in one transaction; completes once committed. */
    public <V extends SpecificRecord> CompletableFuture<Void> publish(TopicSpec<V> topic, String key, V event, Action action) {
        return enqueue(new ProducerRecord<>(topic.name(), key, event), action);
    }

    /** Publishes a prepared record (a dead letter with its headers, say) with its audit record. */
    public CompletableFuture<Void> publish(ProducerRecord<String, ? extends SpecificRecord> record, Action action) {
        return enqueue(new ProducerRecord<>(record.topic(), record.partition(), record.key(), record.value(), record.headers()), action);
    }

    /** Records an action that produced no event of its own. */
    public CompletableFuture<Void> audit(Action action) {
        return enqueue(null, action);
    }

    private CompletableFuture<Void> enqueue(ProducerRecord<String, SpecificRecord> event, Action action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (fatal != null) {
            done.completeExceptionally(new IllegalStateException("audited publisher of " + settings.adapterId() + " has stopped", fatal));
        } else if (!open) {
            done.completeExceptionally(new IllegalStateException("audited publisher of " + settings.adapterId() + " is closed"));
        } else {
            queue.add(new Pending(event, action, done));
        }
        return done;
    }

    private void write() {
        List<Pending> batch = new ArrayList<>();
        while (open || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                fatal = e;
                LOG.error("audited publisher of {} stopped: {}", settings.adapterId(), e.getMessage(), e);
                failAll(batch, e);
                List<Pending> rest = new ArrayList<>();
                queue.drainTo(rest);
                failAll(rest, e);
                return;
            }
        }
    }

    /** One transaction for the batch; an abortable failure rolls the trail back and tries again. */
    private void commit(List<Pending> queued) throws InterruptedException {
        List<Pending> batch = queued;
        for (int attempt = 1; ; attempt++) {
            AuditTrail.Mark mark;
            synchronized (this) {
                mark = trail.mark();
            }
            try {
                producer.beginTransaction();
                for (Pending p : batch) {
                    if (p == CHECKPOINT) {
                        synchronized (this) {
                            if (trail.unsealed()) {
                                send(trail.checkpoint());
                            }
                        }
                        continue;
                    }
                    if (p.event() != null) {
                        producer.publish(p.event());
                    }
                    if (p.action() != null) {
                        Action a = p.action();
                        Map<String, String> details = new HashMap<>(a.details());
                        if (p.event() != null) {
                            details.put("topic", p.event().topic());
                            if (p.event().key() != null) {
                                details.put("key", p.event().key());
                            }
                        }
                        synchronized (this) {
                            for (SpecificRecord out : trail.append(a.actor(), a.action(), a.target(), a.outcome(), details).events()) {
                                send(out);
                            }
                        }
                    }
                }
                producer.commitTransaction();
                batch.forEach(p -> {
                    if (p.done() != null) {
                        p.done().complete(null);
                    }
                });
                return;
            } catch (ProducerFencedException | OutOfOrderSequenceException e) {
                throw e;
            } catch (KafkaException e) {
                TopicAuthorizationException refused = topicRefusal(e);
                if (refused != null && !refused.unauthorizedTopics().contains(Topics.AUDIT.name())) {
                    // Not allowed to write there (another adapter's topic, say): those events fail, the
                    // attempt goes on the trail as DENIED, and the rest of the batch is written.
                    synchronized (this) {
                        trail.rollback(mark);
                    }
                    producer.abortTransaction();
                    batch = denied(batch, refused);
                    continue;
                }
                if (e instanceof AuthorizationException || refused != null) {
                    throw e;
                }
                synchronized (this) {
                    trail.rollback(mark);
                }
                try {
                    producer.abortTransaction();
                } catch (KafkaException abortFailed) {
                    throw e;
                }
                if (attempt == ATTEMPTS) {
                    LOG.warn("audited publisher of {} gave up a batch of {} after {} attempts: {}", settings.adapterId(), batch.size(),
                            attempt, e.getMessage());
                    failAll(batch, e);
                    return;
                }
                Thread.sleep(200L * attempt);
            }
        }
    }

    private static TopicAuthorizationException topicRefusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TopicAuthorizationException refused) {
                return refused;
            }
        }
        return null;
    }

    /** The batch again, each event the bus refused replaced by a DENIED record of the attempt. */
    private List<Pending> denied(List<Pending> batch, TopicAuthorizationException refused) {
        List<Pending> next = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            if (p == CHECKPOINT || p.event() == null || !refused.unauthorizedTopics().contains(p.event().topic())) {
                next.add(p);
                continue;
            }
            if (p.done() != null) {
                p.done().completeExceptionally(refused);
            }
            Action tried = p.action() != null ? p.action() : Action.observed(settings.adapterId(), "publish", p.event().topic(), Map.of());
            Map<String, String> details = new HashMap<>(tried.details());
            details.put("topic", p.event().topic());
            if (p.event().key() != null) {
                details.put("key", p.event().key());
            }
            details.put("refused", "not authorized to write " + p.event().topic());
            LOG.warn("{} is not authorized to write {}: the event is dropped and the attempt audited", settings.adapterId(),
                    p.event().topic());
            next.add(new Pending(null, new Action(tried.actor(), tried.action(), tried.target(), AuditOutcome.DENIED, details), null));
        }
        return next;
    }

    private void send(SpecificRecord auditPayload) {
        producer.publish(Topics.AUDIT, settings.adapterId(), Envelopes.wrap(Topics.AUDIT, source, auditPayload));
    }

    private static void failAll(List<Pending> pending, Throwable cause) {
        pending.forEach(p -> {
            if (p.done() != null) {
                p.done().completeExceptionally(cause);
            }
        });
    }

    /** Writes what is queued, seals the trail with a final checkpoint, and closes the producer. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        timer.shutdownNow();
        queue.add(CHECKPOINT);
        open = false;
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }
}
