package io.hypermesh.streams.registry;

import io.hypermesh.streams.FoldMetrics;
import io.hypermesh.events.Endpoint;
import io.hypermesh.events.deadletter.DeadLetter;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceDeregistered;
import io.hypermesh.events.registry.ServiceExpired;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.events.registry.Weights;
import io.hypermesh.schemas.serde.DeadLetters;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.testing.DriverFixture;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.hypermesh.streams.testing.DriverFixture.T0;
import static io.hypermesh.streams.testing.DriverFixture.instance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryTopologyTest {
    @TempDir
    Path stateDir;
    DriverFixture fx;
    TestInputTopic<String, RegistryEvent> events;
    TestOutputTopic<String, RegistryEvent> eventsOut;
    TestOutputTopic<String, ServiceInstance> state;
    KeyValueStore<String, ServiceInstance> store;

    @BeforeEach
    void start() {
        fx = new DriverFixture(RegistryTopology::build, stateDir);
        events = fx.input(Topics.REGISTRY.name(), RegistryEvent.class);
        eventsOut = fx.output(Topics.REGISTRY.name(), RegistryEvent.class);
        state = fx.output(Topics.REGISTRY_STATE.name(), ServiceInstance.class);
        store = fx.driver.getKeyValueStore(RegistryTopology.STORE);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    static RegistryEvent event(Object payload, Instant at) {
        return RegistryEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSource(DriverFixture.source("t"))
                .setOccurredAt(at).setTraceId(null).setPayload(payload).build();
    }

    static ServiceRegistered registration(String id, long ttlMs) {
        return ServiceRegistered.newBuilder().setInstanceId(id).setServiceName("web")
                .setEndpoint(new Endpoint("10.0.0.1", 8080, "tcp")).setTags(List.of("blue"))
                .setWeights(new Weights(3, 1)).setMetadata(Map.of()).setTtlMs(ttlMs).build();
    }

    void send(String key, Object payload, Instant at) {
        events.pipeInput(key, event(payload, at), at);
    }

    @Test
    void registrationHeartbeatAndDeregistrationFoldIntoOneRecordPerInstance() {
        send("web-1", registration("web-1", 10_000), T0);
        ServiceInstance registered = store.get("web-1");
        assertEquals("web", registered.getServiceName());
        assertEquals(3, registered.getWeightPassing());
        assertEquals("web-1", registered.getHealthComponentId());
        assertEquals(T0, registered.getLastHeartbeatAt());

        send("web-1", new ServiceHeartbeat("web-1", null), T0.plusSeconds(5));
        assertEquals(T0.plusSeconds(5), store.get("web-1").getLastHeartbeatAt());
        assertEquals(T0, store.get("web-1").getRegisteredAt());
        send("ghost", new ServiceHeartbeat("ghost", null), T0.plusSeconds(5));
        assertNull(store.get("ghost"), "a heartbeat does not create an instance");

        send("web-1", new ServiceDeregistered("web-1", "drain"), T0.plusSeconds(6));
        assertNull(store.get("web-1"));
        List<TestRecord<String, ServiceInstance>> changes = state.readRecordsToList();
        assertEquals(3, changes.size());
        assertNull(changes.get(2).value(), "deregistration is a tombstone on the compacted state topic");
    }

    @Test
    void lapsedTtlIsExpiredThroughAnEventWrittenBackToTheLog() {
        send("web-1", registration("web-1", 10_000), T0);
        fx.driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertTrue(eventsOut.isEmpty(), "not lapsed yet");
        assertNotNull(store.get("web-1"));
        fx.driver.advanceWallClockTime(Duration.ofSeconds(6));
        // The driver feeds what the sink wrote to the registry topic straight back to the source.
        TestRecord<String, RegistryEvent> expiry = eventsOut.readRecord();
        ServiceExpired expired = (ServiceExpired) expiry.value().getPayload();
        assertEquals("web-1", expired.getInstanceId());
        assertEquals(T0, expired.getLastHeartbeatAt());
        assertEquals("expired:web-1:" + T0.toEpochMilli(), expiry.value().getEventId(), "deterministic id: duplicates dedupe");
        assertNull(store.get("web-1"));
        KeyValueStore<String, String> byService = fx.driver.getKeyValueStore(RegistryTopology.BY_SERVICE_STORE);
        assertNull(byService.get(RegistryTopology.serviceKey("web", "web-1")), "gone from discovery too");
        List<TestRecord<String, ServiceInstance>> changes = state.readRecordsToList();
        assertNull(changes.get(changes.size() - 1).value());
    }

    @Test
    void aHeartbeatMovesTheLeaseDeadlineTheJudgeWaitsFor() {
        send("web-1", registration("web-1", 10_000), T0);
        fx.driver.advanceWallClockTime(Duration.ofSeconds(5));
        send("web-1", new ServiceHeartbeat("web-1", null), T0.plusSeconds(5));
        fx.driver.advanceWallClockTime(Duration.ofSeconds(6));
        assertTrue(eventsOut.isEmpty(), "due at T0+15 now, not at T0+10");
        assertNotNull(store.get("web-1"));
        fx.driver.advanceWallClockTime(Duration.ofSeconds(5));
        ServiceExpired expired = (ServiceExpired) eventsOut.readRecord().value().getPayload();
        assertEquals(T0.plusSeconds(5), expired.getLastHeartbeatAt(), "judged on the renewed lease");
        assertNull(store.get("web-1"));
    }

    @Test
    void anExpiryJudgingAnOlderHeartbeatThanTheLatestIsIgnored() {
        send("web-1", registration("web-1", 10_000), T0);
        send("web-1", new ServiceHeartbeat("web-1", null), T0.plusSeconds(9));
        send("web-1", new ServiceExpired("web-1", T0, 10_000L), T0.plusSeconds(11));
        assertEquals(T0.plusSeconds(9), store.get("web-1").getLastHeartbeatAt(), "the heartbeat was logged first and wins");
        send("web-1", new ServiceExpired("web-1", T0.plusSeconds(9), 10_000L), T0.plusSeconds(20));
        assertNull(store.get("web-1"));
    }

    @Test
    void selfPreservationHoldsExpiriesWhenMostInstancesLapseAtOnce() {
        for (int i = 0; i < 4; i++) {
            send("web-" + i, registration("web-" + i, 10_000), T0);
        }
        fx.driver.advanceWallClockTime(Duration.ofSeconds(11));
        assertTrue(eventsOut.isEmpty(), "4 of 4 lapsing looks like a bus outage");

        for (int i = 0; i < 3; i++) {
            send("web-" + i, new ServiceHeartbeat("web-" + i, null), T0.plusSeconds(11));
        }
        fx.driver.advanceWallClockTime(Duration.ofSeconds(1));
        List<TestRecord<String, RegistryEvent>> expiries = eventsOut.readRecordsToList();
        assertEquals(1, expiries.size(), "1 of 4 lapsing is a real failure");
        assertEquals("web-3", expiries.get(0).key());
    }

    @Test
    void invalidRegistrationGoesToTheDeadLetterTopicAndTheFoldGoesOn() {
        send("bad", registration("bad", -1), T0);
        send("web-1", registration("web-1", 10_000), T0);
        assertNull(store.get("bad"));
        assertNotNull(store.get("web-1"));
        TestRecord<String, io.hypermesh.events.deadletter.DeadLetterEvent> letter = fx.deadLetters().readRecord();
        DeadLetter payload = (DeadLetter) letter.value().getPayload();
        assertTrue(payload.getReason().contains("ttlMs (the heartbeat lease) must be"), payload.getReason());
        assertEquals("process", payload.getStage());
        assertEquals(Topics.REGISTRY.name(), payload.getSourceTopic());
        assertTrue(DeadLetters.header(letter.headers(), DeadLetters.HEADER_REASON).contains("ttlMs"));
        assertNotNull(payload.getValue(), "the original bytes are kept");
    }

    @Test
    void aNameHoldingTheIndexSeparatorIsRefusedSoNoServiceCanShowAnothersInstances() {
        // "a NUL b" as a service would otherwise list instance "b NUL x" of service "a".
        send("b\u0000x", ServiceRegistered.newBuilder(registration("b\u0000x", 10_000)).setServiceName("a").build(), T0);
        send("x-1", ServiceRegistered.newBuilder(registration("x-1", 10_000)).setServiceName("a\u0000b").build(), T0);
        assertNull(store.get("b\u0000x"));
        assertNull(store.get("x-1"));
        List<TestRecord<String, io.hypermesh.events.deadletter.DeadLetterEvent>> letters = fx.deadLetters().readRecordsToList();
        assertEquals(2, letters.size());
        for (var letter : letters) {
            assertTrue(((DeadLetter) letter.value().getPayload()).getReason().contains("control characters (found U+0000"));
        }
    }

    @Test
    void undecodableBytesDoNotStopTheFold() {
        // The dead letter itself is checked against a real broker in StreamsAppIT: the test
        // driver does not capture what a deserialization handler sends.
        fx.rawInput(Topics.REGISTRY.name()).pipeInput("k".getBytes(), "not avro".getBytes());
        send("web-1", registration("web-1", 10_000), T0);
        assertNotNull(store.get("web-1"));
    }

    @Test
    void theByServiceIndexIsRebuiltFromTheRestoredStoreWheneverTheTaskStarts() {
        // The index has no changelog: after a restart or an aborted transaction it must be exactly
        // what the (restored) registry store says, whatever was left in memory.
        var context = new org.apache.kafka.streams.processor.api.MockProcessorContext<String, Object>();
        KeyValueStore<String, ServiceInstance> registry = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(RegistryTopology.STORE),
                org.apache.kafka.common.serialization.Serdes.String(), fx.serdes.of(ServiceInstance.class)).withLoggingDisabled().build();
        KeyValueStore<String, String> index = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(RegistryTopology.BY_SERVICE_STORE),
                org.apache.kafka.common.serialization.Serdes.String(),
                        org.apache.kafka.common.serialization.Serdes.String()).withLoggingDisabled().build();
        KeyValueStore<String, String> byCheck = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(RegistryTopology.BY_CHECK_STORE),
                org.apache.kafka.common.serialization.Serdes.String(),
                        org.apache.kafka.common.serialization.Serdes.String()).withLoggingDisabled().build();
        KeyValueStore<String, Long> indexes = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(RegistryTopology.INDEX_STORE),
                org.apache.kafka.common.serialization.Serdes.String(),
                        org.apache.kafka.common.serialization.Serdes.Long()).withLoggingDisabled().build();
        KeyValueStore<String, String> runnable = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(RegistryTopology.RUNNABLE_CHECKS_STORE),
                org.apache.kafka.common.serialization.Serdes.String(),
                        org.apache.kafka.common.serialization.Serdes.String()).withLoggingDisabled().build();
        for (KeyValueStore<String, ?> s : List.of(registry, index, byCheck, indexes, runnable)) {
            s.init(context.getStateStoreContext(), s);
            context.addStateStore(s);
        }
        ServiceInstance a = instance("a", "web");
        ServiceInstance b = instance("b", "db");
        registry.put("a", a);
        registry.put("b", b);
        index.put(RegistryTopology.serviceKey("web", "gone"), "gone");
        index.put(RegistryTopology.serviceKey("old", "a"), "a");
        runnable.put("gone", "gone");

        new RegistryFold(fx.settings, null, null, null, FoldMetrics.NONE).init(context);

        List<String> keys = new java.util.ArrayList<>();
        try (var all = index.all()) {
            all.forEachRemaining(kv -> keys.add(kv.key.replace('\u0000', '/') + "=" + kv.value));
        }
        assertEquals(List.of("db/b=b", "web/a=a"), keys);
        try (var all = runnable.all()) {
            assertTrue(!all.hasNext(), "no instance holds an HTTP or TCP check: nothing for the check runner");
        }
    }

    @Test
    void aTombstoneIsDeadLetteredWithWhatItMeans() {
        events.pipeInput("web-1", null, T0);
        send("web-1", registration("web-1", 10_000), T0);
        assertNotNull(store.get("web-1"), "the fold goes on");
        String reason = ((DeadLetter) fx.deadLetters().readRecord().value().getPayload()).getReason();
        assertTrue(reason.contains("a tombstone (null value) on hypermesh.registry means nothing")
                && reason.contains("ServiceDeregistered"), reason);
    }

}
