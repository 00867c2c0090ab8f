package io.hypermesh.connectors;

import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What both sink tasks share: each batch becomes samples (a record that cannot be read goes to the
 * errant-record reporter, so to the dead-letter queue when the connector has one) and is handed to
 * the task's writer.
 */
public abstract class SampleTask extends SinkTask {
    private static final Logger LOG = LoggerFactory.getLogger(SampleTask.class);
    protected BusSamples samples;
    private ErrantRecordReporter reporter;

    @Override
    public String version() {
        return Versions.VERSION;
    }

    protected final void startSamples(org.apache.kafka.common.config.AbstractConfig config) {
        samples = new BusSamples(RegistryConfig.client(config));
        try {
            reporter = context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError olderWorker) {
            reporter = null; // workers before Kafka 2.6 have no reporter: a bad record then fails the task
        }
    }

    /** A sample with the records it came from, so a writer can report the records a sink refused. */
    public record Batch(List<Sample> samples, List<SinkRecord> sources) {
    }

    @Override
    public final void put(Collection<SinkRecord> records) {
        List<Sample> out = new ArrayList<>();
        List<SinkRecord> sources = new ArrayList<>();
        for (SinkRecord r : records) {
            try {
                if (r.value() != null && !(r.value() instanceof byte[])) {
                    throw new DataException("expected the record's bytes; set "
                            + "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter");
                }
                List<Sample> made = samples.of(r.topic(), r.key() == null ? null : keyOf(r.key()), (byte[]) r.value(),
                        r.timestamp() == null ? System.currentTimeMillis() : r.timestamp());
                out.addAll(made);
                made.forEach(s -> sources.add(r));
            } catch (DataException e) {
                report(r, e);
            }
        }
        if (!out.isEmpty()) {
            write(new Batch(out, sources));
        }
    }

    private static String keyOf(Object key) {
        return key instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : key.toString();
    }

    /** Sends a record a sink cannot take to the dead-letter queue; without a reporter the task fails on it. */
    protected final void report(SinkRecord record, RuntimeException e) {
        if (reporter == null) {
            throw e instanceof DataException d ? d : new DataException(e.getMessage(), e);
        }
        LOG.warn("{}-{}@{} to the errant-record reporter: {}", record.topic(), record.kafkaPartition(), record.kafkaOffset(),
                e.getMessage());
        try {
            reporter.report(record, e).get();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new DataException("interrupted reporting a bad record", interrupted);
        } catch (java.util.concurrent.ExecutionException failed) {
            throw new DataException("could not report a bad record: " + failed.getCause().getMessage(), failed.getCause());
        }
    }

    /** Hands the batch to the sink; a RetriableException makes the worker retry it. */
    protected abstract void write(Batch batch);
}
