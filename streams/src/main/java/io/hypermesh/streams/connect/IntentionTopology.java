package io.hypermesh.streams.connect;

import io.hypermesh.events.connect.ConnectEvent;
import io.hypermesh.events.connect.IntentionDeleted;
import io.hypermesh.events.connect.IntentionWritten;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.InvalidEventException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The intentions fold: {@code hypermesh.intentions} into a global store on every instance, and
 * into the {@link IntentionBook} authorize reads. A global store's processor also runs when the
 * store is restored, so the book is whole after a restart. Each applied offset is told to
 * {@link AppliedOffsets}, so a write through the API answers once its own instance sees it.
 */
public final class IntentionTopology {
    public static final String STORE = "connect-intentions";
    /** The {@link ChangeSignal} scope rung on every change of Connect policy. */
    public static final String SCOPE = "intentions";

    private IntentionTopology() {
    }

    public static void addTo(StreamsBuilder builder, BusSerdes serdes, IntentionBook book, AppliedOffsets applied, ChangeSignal changes) {
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(),
                                serdes.of(ConnectEvent.class)).withLoggingDisabled(),
                Topics.INTENTIONS.name(), Consumed.with(Serdes.String(), serdes.of(ConnectEvent.class)),
                () -> new Fold(book, applied, changes));
    }

    private static final class Fold implements Processor<String, ConnectEvent, Void, Void> {
        private final IntentionBook book;
        private final AppliedOffsets applied;
        private final ChangeSignal changes;
        private ProcessorContext<Void, Void> context;
        private KeyValueStore<String, ConnectEvent> store;

        Fold(IntentionBook book, AppliedOffsets applied, ChangeSignal changes) {
            this.book = book;
            this.applied = applied;
            this.changes = changes;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, ConnectEvent> record) {
            var meta = context.recordMetadata().orElseThrow();
            try {
                apply(record.key(), record.value(), meta.offset());
            } finally {
                // Even a refused record is past: a write waiting on it must not wait forever.
                if (applied != null) {
                    applied.applied(meta.partition(), meta.offset());
                }
            }
            if (changes != null) {
                changes.ring(SCOPE);
            }
        }

        private void apply(String key, ConnectEvent event, long offset) {
            if (key == null) {
                throw new InvalidEventException("an event on " + Topics.INTENTIONS.name() + " needs a key");
            }
            if (event == null) {
                // Compaction's own tombstone: the pair is gone.
                store.delete(key);
                book.remove(key);
                return;
            }
            if (event.getPayload() instanceof IntentionWritten written) {
                Intention intention;
                try {
                    intention = Intention.of(written, event.getOccurredAt(), offset);
                } catch (IllegalArgumentException e) {
                    throw new InvalidEventException("intention " + key + " is invalid: " + e.getMessage());
                }
                if (!intention.key().equals(key)) {
                    throw new InvalidEventException("intention keyed " + key + " names " + intention.key());
                }
                store.put(key, event);
                book.put(intention);
            } else if (event.getPayload() instanceof IntentionDeleted) {
                store.delete(key);
                book.remove(key);
            } else {
                store.put(key, event);
            }
        }
    }
}
