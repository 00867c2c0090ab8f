package io.hypermesh.streams;

import io.hypermesh.streams.testing.DriverFixture;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StreamsSettingsTest {

    @Test
    void streamThreadsReachKafkaStreamsAndFewerThanOneAreRefused(@TempDir Path dir) {
        StreamsSettings defaults = DriverFixture.settings(dir);
        assertNull(defaults.streamsProperties().get(StreamsConfig.NUM_STREAM_THREADS_CONFIG), "Kafka Streams' own default: one thread");
        assertEquals(3, defaults.withStreamThreads(3).streamsProperties().get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> defaults.withStreamThreads(0));
        assertEquals("stream threads must be at least 1, was 0", refused.getMessage());
    }
}
