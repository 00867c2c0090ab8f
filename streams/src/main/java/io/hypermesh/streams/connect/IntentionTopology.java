package io.hypermesh.streams.connect;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.connect.ConnectEvent;
import io.hypermesh.events.connect.IntentionDeleted;
import io.hypermesh.events.connect.IntentionWritten;
import io.hypermesh.schemas.serde.DeadLetters;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.InvalidEventException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * The intentions fold: {@code hypermesh.intentions} into a global store on every instance, and
 * into the {@link IntentionBook} authorize reads. A global store's processor also runs when the
 * store is restored, so the book is whole after a restart. Each applied offset is told to
 * {@link AppliedOffsets}, so a write through the API answers once its own instance sees it. What
 * breaks the contract goes to the dead letters through {@link IntentionOutputs#deadLetters()}.
 */
public final class IntentionTopology {
    private static final Logger LOG = LoggerFactory.getLogger(IntentionTopology.class);
    public static final String STORE = "connect-intentions";
    /** The {@link ChangeSignal} scope rung on every change of Connect policy. */
    public static final String SCOPE = "intentions";

    private IntentionTopology() {
    }

    public static void addTo(StreamsBuilder builder, BusSerdes serdes, IntentionOutputs outputs, ChangeSignal changes) {
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(),
                                serdes.of(ConnectEvent.class)).withLoggingDisabled(),
                Topics.INTENTIONS.name(), Consumed.with(Serdes.String(), Serdes.ByteArray()),
                () -> new Fold(outputs, serdes.of(ConnectEvent.class).deserializer(), changes));
    }

    /** Takes bytes and decodes them itself: the dead letter of an undecodable record is then its own (a global thread writes none). */
    private static final class Fold implements Processor<String, byte[], Void, Void> {
        private static final EventSource REPORTER = new EventSource(IntentionTopology.class.getSimpleName(), ComponentKind.STREAMS);
        private final IntentionBook book;
        private final AppliedOffsets applied;
        private final IntentionOutputs outputs;
        private final Deserializer<ConnectEvent> deserializer;
        private final ChangeSignal changes;
        private ProcessorContext<Void, Void> context;
        private KeyValueStore<String, ConnectEvent> store;

        Fold(IntentionOutputs outputs, Deserializer<ConnectEvent> deserializer, ChangeSignal changes) {
            this.outputs = outputs;
            this.book = outputs.book();
            this.applied = outputs.applied();
            this.deserializer = deserializer;
            this.changes = changes;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            var meta = context.recordMetadata().orElseThrow();
            String stage = "deserialize";
            try {
                ConnectEvent event = record.value() == null ? null : deserializer.deserialize(meta.topic(), record.value());
                stage = "process";
                apply(record.key(), event, meta.offset());
            } catch (InvalidEventException | SerializationException e) {
                LOG.warn("{}-{}@{} refused: {}", meta.topic(), meta.partition(), meta.offset(), e.getMessage());
                byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
                outputs.deadLetters().accept(DeadLetters.of(meta.topic(), meta.partition(), meta.offset(), key, record.value(), stage, e,
                        REPORTER));
            } finally {
                // Even a refused record is past: a write waiting on it must not wait forever.
                applied.applied(meta.partition(), meta.offset());
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
                forget(key);
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
                if (written.getReplaces() != null && !written.getReplaces().equals(key)) {
                    forget(written.getReplaces());
                }
            } else if (event.getPayload() instanceof IntentionDeleted) {
                forget(key);
            } else {
                store.put(key, event);
            }
        }

        private void forget(String key) {
            store.delete(key);
            book.remove(key);
        }
    }
}
