package io.hypermesh.adapters.security;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.anomaly.AnomalyDetected;
import io.hypermesh.events.anomaly.AnomalyEvent;
import io.hypermesh.events.anomaly.AnomalySubject;
import io.hypermesh.events.security.SecurityEvent;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.WorkloadState;
import io.hypermesh.streams.anomaly.AnomalyTopology;
import io.hypermesh.streams.testing.DriverFixture;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recorded trace of Falco alerts (http_output bodies) and Tetragon export lines, parsed as the
 * security adapter parses them, through the folds' workload baselines: two workloads learn for their
 * first hour; in the second, what they did while learning raises nothing, and each injected new
 * exec, connection and write is flagged at its first event, once.
 */
class WorkloadBaselineTraceTest {
    static final String PAYMENTS = "registry.local/payments";
    static final String NGINX = "docker.io/library/nginx";

    @TempDir
    Path stateDir;
    DriverFixture fx;
    TestInputTopic<String, SecurityEvent> security;
    TestOutputTopic<String, AnomalyEvent> anomalies;

    @BeforeEach
    void start() {
        fx = new DriverFixture(AnomalyTopology::build, stateDir);
        security = fx.input(Topics.SECURITY.name(), SecurityEvent.class);
        anomalies = fx.output(Topics.ANOMALIES.name(), AnomalyEvent.class);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    void replay(String resource, Function<String, SecurityInput.Alert> parse) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/security/" + resource)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                SecurityInput.Alert alert = parse.apply(line);
                SecurityEvent event = Envelopes.wrap(Topics.SECURITY, java.util.UUID.randomUUID().toString(),
                        new EventSource("security-node", ComponentKind.SECURITY_AGENT), alert.at(), alert.alert());
                security.pipeInput(alert.key(), event, alert.at());
            }
        }
    }

    @Test
    void whatWasLearnedRaisesNothingAndEveryInjectedExecConnectAndWriteIsFlaggedAtItsFirstEventOnce() throws IOException {
        replay("falco-trace.jsonl", SecurityInput::falco);
        replay("tetragon-trace.jsonl", SecurityInput::tetragon);
        List<String> flagged = anomalies.readValuesToList().stream().filter(e -> e.getPayload() instanceof AnomalyDetected)
                .map(e -> {
                    AnomalyDetected d = (AnomalyDetected) e.getPayload();
                    assertEquals(AnomalySubject.WORKLOAD, d.getSubjectKind());
                    return e.getOccurredAt().toString().substring(11, 16) + " " + d.getSubject() + " " + d.getEvidence().get("behaviour");
                }).sorted().toList();
        assertEquals(List.of(
                "01:11 " + PAYMENTS + " exec /bin/nc <- /bin/sh",
                "01:17 " + NGINX + " exec /bin/bash <- /usr/sbin/nginx",
                "01:33 " + PAYMENTS + " connect 4444/public",
                "01:37 " + PAYMENTS + " write /etc/cron.d",
                "01:41 " + NGINX + " connect 6667/public"), flagged);
        WorkloadState payments = fx.driver.<String, WorkloadState>getKeyValueStore(AnomalyTopology.WORKLOADS_STORE).get(PAYMENTS);
        assertEquals(List.of("exec /usr/local/bin/payments <- /usr/bin/tini", "connect 5432/private", "connect 443/public",
                "write /var/log"), payments.getBehaviours());
        assertEquals(3, payments.getFlagged());
        assertTrue(payments.getOpen().containsKey("exec /bin/nc <- /bin/sh"), payments.getOpen().toString());
    }
}
