package io.hypermesh.streams.api.dashboard;

import io.hypermesh.schemas.kafka.KafkaAccess;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.hypermesh.schemas.kafka.LongPollConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The newest committed records of a topic, summarised, for the dashboard: it reads from the last
 * {@code size} of every partition (or from the beginning, for a summary that counts everything),
 * then follows, on a thread of its own. The summary sees every record read, in time order.
 */
final class TopicTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicTail.class);
    private final String topic;
    private final int size;
    private final boolean fromBeginning;
    private final Function<ConsumerRecord<byte[], byte[]>, JsonObject> summary;
    private final Runnable onChange;
    private final Deque<JsonObject> recent = new ArrayDeque<>();
    private final LongPollConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    /** @param onChange run after new records arrived, so views that show them are rendered again */
    TopicTail(KafkaAccess kafka, String topic, int size, boolean fromBeginning, Function<ConsumerRecord<byte[], byte[]>,
            JsonObject> summary,
              Runnable onChange) {
        this.topic = topic;
        this.size = size;
        this.fromBeginning = fromBeginning;
        this.summary = summary;
        this.onChange = onChange;
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new LongPollConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::follow, topic + "-tail");
        thread.setDaemon(true);
        thread.start();
    }

    /** Newest first. */
    synchronized List<JsonObject> recent() {
        List<JsonObject> out = new ArrayList<>(recent);
        Collections.reverse(out);
        return out;
    }

    private void follow() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.endOffsets(partitions).forEach((p, end) -> consumer.seek(p, Math.max(begin.get(p), end - size)));
            }
            while (running) {
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                consumer.poll(LongPollConsumer.POLL).forEach(batch::add);
                batch.sort(Comparator.comparingLong(ConsumerRecord::timestamp));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    add(summary.apply(r));
                }
                if (!batch.isEmpty()) {
                    onChange.run();
                }
            }
        } catch (WakeupException closing) {
            // closing
        } catch (RuntimeException e) {
            LOG.warn("the dashboard's tail of {} stopped: {}", topic, e.getMessage());
        } finally {
            consumer.close();
        }
    }

    private synchronized void add(JsonObject entry) {
        recent.addLast(entry);
        while (recent.size() > size) {
            recent.removeFirst();
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
