package io.hypermesh.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GoDurationTest {
    @Test
    void parsesGoSyntaxWithoutACap() {
        assertEquals(3_600_000, GoDuration.parseMillis("1h"));
        assertEquals(5_400_000, GoDuration.parseMillis("1h30m"));
        assertEquals(500, GoDuration.parseMillis("500ms"));
        assertEquals(1_500, GoDuration.parseMillis("1.5s"));
        assertEquals(0, GoDuration.parseNanos("0"));
        assertEquals(1_000, GoDuration.parseNanos("1us"));
        assertEquals(1_000, GoDuration.parseNanos("1\u00b5s"));
        assertEquals(-2_000_000_000L, GoDuration.parseNanos("-2s"));
        assertEquals(2_562_047L * 3_600_000, GoDuration.parseMillis("2562047h"), "Go's longest whole hours, kept exactly");
    }

    @Test
    void refusesWhatGoRefusesWithGosWords() {
        assertEquals("time: missing unit in duration \"10\"", assertThrows(IllegalArgumentException.class, () ->
                GoDuration.parseNanos("10")).getMessage());
        assertEquals("time: unknown unit \"d\" in duration \"1d\"", assertThrows(IllegalArgumentException.class, () ->
                GoDuration.parseNanos("1d")).getMessage());
        assertEquals("time: invalid duration \"99999999999999999999s\"",
                assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos("99999999999999999999s")).getMessage());
        assertEquals("time: invalid duration \"99999999h\"", assertThrows(IllegalArgumentException.class,
                () -> GoDuration.parseNanos("99999999h")).getMessage(), "past int64 nanoseconds, as Go");
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos(""));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos("s"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos("1..5s"));
    }

    @Test
    void formatsAsGosDurationString() {
        assertEquals("10s", GoDuration.format(10_000_000_000L));
        assertEquals("1h0m0s", GoDuration.format(3_600_000_000_000L));
        assertEquals("1m30s", GoDuration.format(90_000_000_000L));
        assertEquals("1.5s", GoDuration.format(1_500_000_000L));
        assertEquals("500ms", GoDuration.format(500_000_000L));
        assertEquals("0s", GoDuration.format(0));
    }
}
