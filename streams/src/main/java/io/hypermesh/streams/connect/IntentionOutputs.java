package io.hypermesh.streams.connect;

import io.hypermesh.events.deadletter.DeadLetterEvent;
import io.hypermesh.streams.AppliedOffsets;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.function.Consumer;

/**
 * Where the intentions fold's results go: the book authorize reads, how far it got, and the dead
 * letters of what it refused (a global store's processor has no producer of its own, so the
 * instance's writer sends them).
 */
public record IntentionOutputs(IntentionBook book, AppliedOffsets applied, Consumer<ProducerRecord<String, DeadLetterEvent>> deadLetters) {
    /** A book and offsets of their own, dead letters dropped: for topologies built without an API. */
    public static IntentionOutputs detached(IntentionBook.DefaultPolicy policy) {
        return new IntentionOutputs(new IntentionBook(policy), new AppliedOffsets(), letter -> { });
    }
}
