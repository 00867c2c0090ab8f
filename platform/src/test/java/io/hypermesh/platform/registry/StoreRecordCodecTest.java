package io.hypermesh.platform.registry;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreRecordCodecTest {

    @Test
    void everyKindRoundTrips() {
        List<StoreRecord> records = List.of(
                new StoreRecord.SchemaId(7, new SchemaDefinition("AVRO", "\"int\"", List.of(new SchemaReference("n", "s", 2)))),
                new StoreRecord.SubjectVersion("s", 3, 7, true),
                new StoreRecord.SubjectVersionTombstone("s", 3),
                new StoreRecord.Config("s", CompatibilityLevel.FORWARD_TRANSITIVE),
                new StoreRecord.Config("s", null),
                new StoreRecord.Config(null, CompatibilityLevel.NONE),
                new StoreRecord.Mode("s", "READONLY"),
                new StoreRecord.Mode("s", null),
                new StoreRecord.Mode(null, "IMPORT"));
        for (StoreRecord record : records) {
            StoreRecordCodec.Encoded encoded = StoreRecordCodec.encode(record);
            assertEquals(Optional.of(record), StoreRecordCodec.decode(encoded.key(), encoded.value()));
        }
    }

    @Test
    void unknownKindsAreSkippedAndCorruptEntriesNamed() {
        // Confluent writes NOOP keys (and others this registry has no use for) to the same log.
        assertTrue(StoreRecordCodec.decode("{\"keytype\":\"NOOP\"}".getBytes(StandardCharsets.UTF_8), null).isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StoreRecordCodec.decode("{\"keytype\":\"SCHEMA\"}".getBytes(StandardCharsets.UTF_8), null));
        assertTrue(e.getMessage().contains("subject"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StoreRecordCodec.decode("not json".getBytes(StandardCharsets.UTF_8), null));
    }
}
