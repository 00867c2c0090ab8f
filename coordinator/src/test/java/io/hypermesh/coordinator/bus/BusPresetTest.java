package io.hypermesh.coordinator.bus;

import io.hypermesh.coordinator.spec.SpecLoader;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BusPresetTest {

    @Test
    void everyBundledPresetLoadsWithASpecOfItsOwnName() {
        for (String name : BusPreset.BUNDLED) {
            BusPreset preset = BusPreset.bundled(name);
            assertEquals(name, preset.name());
            assertEquals(name, SpecLoader.loadResource(preset.spec(), Map.of()).preset().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    @Test
    void thePresetsSayWhatTheIssueAsksOfThem() {
        BusPreset development = BusPreset.bundled("development");
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, development.processingGuarantee());
        assertEquals(0, development.replicationFactor(), "left to the cluster, as up always did");
        assertFalse(development.mutualTls());

        BusPreset production = BusPreset.bundled("production");
        assertTrue(production.mutualTls());
        assertEquals(3, production.replicationFactor());
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, production.processingGuarantee());

        BusPreset performance = BusPreset.bundled("performance");
        assertEquals(StreamsConfig.AT_LEAST_ONCE, performance.processingGuarantee());
        assertTrue(performance.streamThreads() > development.streamThreads());
        assertTrue((int) performance.streamsConfig().get(StreamsConfig.producerPrefix("batch.size")) > 16_384);

        BusPreset reliability = BusPreset.bundled("reliability");
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, reliability.processingGuarantee());
        assertEquals(1, reliability.standbyReplicas());
        assertTrue(reliability.staticMembership());
        assertEquals("2", reliability.streamsConfig().get(StreamsConfig.topicPrefix("min.insync.replicas")));
        assertEquals(3, reliability.streamsConfig().get(StreamsConfig.REPLICATION_FACTOR_CONFIG));
    }

    @Test
    void aPresetNeedingReplicasRefusesFewerBrokersWithItsReason() {
        BusPreset reliability = BusPreset.bundled("reliability");
        String embedded = reliability.refusalFor(1, true);
        assertTrue(embedded.contains("at least 3 brokers") && embedded.contains("--bootstrap-servers"), embedded);
        assertTrue(reliability.refusalFor(2, false).contains("this cluster has 2"));
        assertNull(reliability.refusalFor(3, false));
        assertNull(BusPreset.bundled("development").refusalFor(1, true));
    }

    @Test
    void aBadSettingsFileIsRefusedWholeWithFileAndLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BusPreset.parse("mine", "mine.properties", """
                # a comment
                spec=specs/development.yaml
                processing.guarantee=sometimes
                stream.threads=0
                num.standby.replicas=0
                static.membership=yes
                security=none
                security=none
                colour=blue
                no equals sign
                """));
        String message = e.getMessage();
        assertTrue(message.contains("mine.properties:3: processing.guarantee must be one of"), message);
        assertTrue(message.contains("mine.properties:4: stream.threads must be a whole number from 1"), message);
        assertTrue(message.contains("mine.properties:6: static.membership must be one of true, false"), message);
        assertTrue(message.contains("mine.properties:8: 'security' is set twice"), message);
        assertTrue(message.contains("mine.properties:9: unknown setting 'colour'"), message);
        assertTrue(message.contains("mine.properties:10: expected key=value"), message);
    }

    @Test
    void aMutualTlsPresetRefusesSaslNamingThePreset() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Bus.builder().preset(BusPreset.bundled("production")).kafkaSasl(true).consulAgent("n", "dc1").build());
        assertTrue(e.getMessage().startsWith("preset production secures the bus with mutual TLS"), e.getMessage());
    }

    @Test
    void anUnknownPresetNamesTheOnesThereAre() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BusPreset.of("fastest"));
        assertTrue(e.getMessage().contains("development, production, performance, reliability"), e.getMessage());
    }
}
