package io.hypermesh.connectors.influx;

import io.hypermesh.connectors.Sample;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LineProtocolTest {
    @Test
    void measurementTagsValueAndMillisecondsWithEscapes() {
        assertEquals("hm_score,component=api\\,v2,zone=eu\\ west\\=1 value=72.0 1234\n",
                LineProtocol.lines(List.of(Sample.of("score", Map.of("component", "api,v2", "zone", "eu west=1"), 72, 1234)), "hm_"));
    }

    @Test
    void emptyTagValuesAndNonFiniteValuesAreLeftOut() {
        assertEquals("m value=1.0 5\n", LineProtocol.lines(List.of(Sample.of("m", Map.of("t", ""), 1, 5),
                Sample.of("m", Map.of(), Double.NaN, 6)), ""));
    }
}
