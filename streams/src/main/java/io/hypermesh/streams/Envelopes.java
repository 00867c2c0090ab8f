package io.hypermesh.streams;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;

import java.time.Instant;

/** Envelope fields for events the folds write themselves. */
public final class Envelopes {
    private Envelopes() {
    }

    public static EventSource source(String applicationId) {
        return new EventSource(applicationId, ComponentKind.STREAMS);
    }

    public static Instant at(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis);
    }
}
