package io.hypermesh.streams;

import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.streams.testing.BusFixture;
import io.hypermesh.streams.testing.Traffic;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.hypermesh.streams.testing.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The folds are functions of the log: a restarted instance and a rebuild under a new application id agree with the live state. */
@KafkaIT
class StateDurabilityIT {

    @Test
    void aRestartedInstanceAndARebuildFromOffsetZeroAnswerExactlyAsTheLiveOne(EmbeddedKafka kafka) throws Exception {
        try (BusFixture bus = new BusFixture(kafka)) {
            StreamsSettings settings = bus.settings(BusFixture.uniqueAppId());
            StreamsApp live = bus.start(settings);
            Traffic traffic = new Traffic();
            traffic.send(new Http(live.url()), bus.external());
            List<String> before = until(() -> traffic.snapshot(new Http(live.url())), traffic::settled,
                    Duration.ofSeconds(60), "the traffic folded");

            // Killed and restarted on the same state folder and application id.
            bus.stop(live);
            StreamsApp restarted = bus.start(settings.withStateDir(settings.stateDir(), 0));
            List<String> afterRestart = until(() -> traffic.snapshot(new Http(restarted.url())), s -> before.equals(s),
                    Duration.ofSeconds(60), "restarted instance gives the same answers");
            assertEquals(before, afterRestart);

            // A rebuild under a new application id reads every input from offset 0. It does not decide
            // expiries itself: an audit replay must not add events to the log.
            StreamsApp rebuilt = bus.start(bus.settings(BusFixture.uniqueAppId()).withExpiry(false, Duration.ofSeconds(1)));
            List<String> rebuiltViews = until(() -> traffic.snapshot(new Http(rebuilt.url())), s -> before.equals(s),
                    Duration.ofSeconds(90), "rebuild equals the live state");
            assertEquals(before, rebuiltViews);
            assertEquals(traffic.snapshot(new Http(restarted.url())), rebuiltViews);
        }
    }
}
