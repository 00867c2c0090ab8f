package io.hypermesh.adapters.lifecycle;

import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.LifecycleState;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.lifecycle.ComponentHeartbeat;
import io.hypermesh.events.lifecycle.LifecycleCommand;
import io.hypermesh.events.lifecycle.LifecycleCommandEvent;
import io.hypermesh.events.lifecycle.LifecycleTransition;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.topics.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.hypermesh.schemas.kafka.LongPollConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The lifecycle a platform component embeds: it announces itself (UNINITIALIZED, INITIALIZING,
 * READY), obeys the coordinator's commands (START, STOP, ROLLBACK, SHUTDOWN) by running the
 * component's own start and stop, reports every transition, a heartbeat and a health check result
 * on an interval. Commands are idempotent: a START for a component already starting or running is
 * answered with its state and does not start it again; commands from an older coordinator epoch
 * than one already obeyed are ignored.
 */
public final class ManagedComponent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedComponent.class);

    /** What the component does when told to start and stop; throwing fails the step with that reason. */
    public interface Behaviour {
        void start() throws Exception;

        void stop() throws Exception;
    }

    /** A health check result: status, latency, a line of output. */
    public record Check(CheckStatus status, double latencyMs, String output) {
    }

    private final String componentId;
    private final ComponentKind kind;
    private final int phase;
    private final Behaviour behaviour;
    private final Supplier<Check> health;
    private final BusPublisher producer;
    private final LongPollConsumer<String, LifecycleCommandEvent> consumer;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final Thread commandThread;
    private final long startedAt = System.currentTimeMillis();
    private final AtomicInteger starts = new AtomicInteger();
    private volatile LifecycleState state = LifecycleState.UNINITIALIZED;
    private volatile boolean running = true;
    private long highestEpoch = Long.MIN_VALUE;

    /**
     * Connects, announces INITIALIZING then READY, and begins to obey commands.
     *
     * @param health a health check run every heartbeat, or null for none
     */
    public ManagedComponent(String componentId, ComponentKind kind, int phase, KafkaAccess kafka,
                            RegistryClient registry, Behaviour behaviour, Supplier<Check> health, Duration heartbeatInterval) {
        this.componentId = componentId;
        this.kind = kind;
        this.phase = phase;
        this.behaviour = behaviour;
        this.health = health;
        this.producer = BusPublisher.idempotent(kafka, registry, Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
        Map<String, Object> consumerConfig = kafka.clientConfig();
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new LongPollConsumer<>(consumerConfig, new StringDeserializer(),
                new AvroDeserializer<>(registry, LifecycleCommandEvent.class));
        transition(LifecycleState.INITIALIZING, null, null);
        // Only commands for this component's key: its partition of the commands topic, from now on.
        int partitions = consumer.partitionsFor(Topics.LIFECYCLE_COMMANDS.name(), Duration.ofSeconds(30)).size();
        TopicPartition mine = new TopicPartition(Topics.LIFECYCLE_COMMANDS.name(),
                Utils.toPositive(Utils.murmur2(componentId.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions);
        consumer.assign(List.of(mine));
        consumer.seekToEnd(List.of(mine));
        consumer.position(mine);
        this.commandThread = new Thread(this::obey, "component-" + componentId);
        commandThread.setDaemon(true);
        commandThread.start();
        transition(LifecycleState.READY, null, null);
        long every = heartbeatInterval.toMillis();
        timers.scheduleAtFixedRate(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    public String componentId() {
        return componentId;
    }

    public LifecycleState state() {
        return state;
    }

    /** How many times this component really ran its start (idempotent commands do not count). */
    public int starts() {
        return starts.get();
    }

    private void obey() {
        try {
            while (running) {
                for (ConsumerRecord<String, LifecycleCommandEvent> record : consumer.poll(LongPollConsumer.POLL)) {
                    if (componentId.equals(record.key())) {
                        handle((LifecycleCommand) record.value().getPayload());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("component {} stopped obeying commands", componentId, e);
        } finally {
            consumer.close();
        }
    }

    /** Starts the component without waiting for a coordinator's command (a component run on its own). */
    public void startNow() {
        start(null);
    }

    private synchronized void start(String commandId) {
        if (state == LifecycleState.STARTING || state == LifecycleState.RUNNING || state == LifecycleState.DEGRADED) {
            transition(state, "already " + state.name().toLowerCase(), commandId);
            return;
        }
        transition(LifecycleState.STARTING, null, commandId);
        try {
            starts.incrementAndGet();
            behaviour.start();
            transition(LifecycleState.RUNNING, null, commandId);
        } catch (Exception e) {
            transition(LifecycleState.FAILED, "start failed: " + e.getMessage(), commandId);
        }
    }

    private synchronized void handle(LifecycleCommand command) {
        if (command.getCoordinatorEpoch() < highestEpoch) {
            LOG.warn("{} ignores {} from coordinator epoch {} (already obeyed epoch {})", componentId, command.getAction(),
                    command.getCoordinatorEpoch(), highestEpoch);
            return;
        }
        highestEpoch = command.getCoordinatorEpoch();
        String id = command.getCommandId();
        switch (command.getAction()) {
            case INITIALIZE -> transition(state, "acknowledged", id);
            case START -> start(id);
            case STOP, ROLLBACK, SHUTDOWN -> {
                if (state == LifecycleState.READY || state == LifecycleState.STOPPED || state == LifecycleState.UNINITIALIZED) {
                    transition(state == LifecycleState.READY ? LifecycleState.STOPPED : state, "nothing to stop", id);
                    return;
                }
                transition(LifecycleState.STOPPING, command.getAction() == io.hypermesh.events.lifecycle.CommandAction.ROLLBACK
                        ? "rollback" : null, id);
                try {
                    behaviour.stop();
                    transition(LifecycleState.STOPPED, null, id);
                } catch (Exception e) {
                    transition(LifecycleState.FAILED, "stop failed: " + e.getMessage(), id);
                }
            }
        }
    }

    private synchronized void transition(LifecycleState to, String reason, String commandId) {
        LifecycleState from = state;
        state = to;
        publish(Topics.LIFECYCLE, new LifecycleTransition(componentId, phase, from, to, reason, commandId));
    }

    private void beat() {
        try {
            publish(Topics.LIFECYCLE, new ComponentHeartbeat(componentId, state, System.currentTimeMillis() - startedAt));
            if (health != null) {
                Check check = health.get();
                publish(Topics.HEALTH_CHECKS, new HealthCheckResult(componentId, componentId + ":self",
                        check.status(), check.latencyMs(), check.output()));
            }
        } catch (RuntimeException e) {
            LOG.warn("{} could not send its heartbeat: {}", componentId, e.getMessage());
        }
    }

    private EventSource source() {
        return new EventSource(componentId, kind);
    }

    private <V extends SpecificRecord> void publish(TopicSpec<V> topic, SpecificRecord payload) {
        try {
            producer.publish(topic, componentId, Envelopes.wrap(topic, source(), payload)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(componentId + " was interrupted publishing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(componentId + " could not publish to " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        running = false;
        timers.shutdownNow();
        consumer.wakeup();
        try {
            commandThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
