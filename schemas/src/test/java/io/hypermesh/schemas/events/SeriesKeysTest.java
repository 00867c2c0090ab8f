package io.hypermesh.schemas.events;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeriesKeysTest {
    @Test
    void labelsAreSortedSoOneSeriesHasOneKey() {
        Map<String, String> first = new LinkedHashMap<>();
        first.put("node", "a");
        first.put("link", "a-b");
        Map<String, String> second = new LinkedHashMap<>();
        second.put("link", "a-b");
        second.put("node", "a");
        assertEquals("link_latency_ms{link=\"a-b\",node=\"a\"}", SeriesKeys.of("link_latency_ms", first));
        assertEquals(SeriesKeys.of("link_latency_ms", first), SeriesKeys.of("link_latency_ms", second));
        assertEquals("fold_lag", SeriesKeys.of("fold_lag", Map.of()));
    }

    @Test
    void valuesAreEscapedAsPrometheusDoes() {
        assertEquals("x{path=\"a\\\"b\\\\c\\n\"}", SeriesKeys.of("x", Map.of("path", "a\"b\\c\n")));
    }

    @Test
    void badNamesAndOversizedKeysAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SeriesKeys.of("1x", Map.of())).getMessage()
                .contains("not a Prometheus metric name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SeriesKeys.of("x", Map.of("__name__", "y"))).getMessage()
                .contains("label name '__name__'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SeriesKeys.of("x", Map.of("l", "v".repeat(600)))).getMessage()
                .contains("over 512"));
    }
}
