package io.hypermesh.connectors.prometheus;

import io.hypermesh.connectors.BusSamples;
import io.hypermesh.connectors.Sample;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ExpositionTest {
    @Test
    void newestSamplePerSeriesWithItsTimestampAndEscapedLabels() {
        Exposition e = new Exposition("hm_");
        e.update(List.of(Sample.of(BusSamples.HEALTH_SCORE, Map.of("component", "api"), 80, 2000),
                Sample.of(BusSamples.HEALTH_SCORE, Map.of("component", "api"), 40, 1000), // older: ignored
                Sample.of(BusSamples.HEALTH_SCORE, Map.of("component", "we\"ird\\"), 12.5, 1500)));
        assertEquals("""
                # HELP hm_hypermesh_health_score Health score 0..100 of a component, from the health fold.
                # TYPE hm_hypermesh_health_score gauge
                hm_hypermesh_health_score{component="api"} 80 2000
                hm_hypermesh_health_score{component="we\\"ird\\\\"} 12.5 1500
                """, e.render());
        assertEquals(2, e.series());
    }

    @Test
    void specialValuesAreSpelledAsPrometheusReadsThem() {
        assertEquals("NaN", Exposition.number(Double.NaN));
        assertEquals("+Inf", Exposition.number(Double.POSITIVE_INFINITY));
        assertEquals("0.25", Exposition.number(0.25));
        assertEquals("3", Exposition.number(3.0));
    }
}
