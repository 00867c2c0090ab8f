package io.hypermesh.streams.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The folds' recent flow for the dashboard, from the same meters /metrics shows: events per second
 * per topic and each fold's propagation p99 over the last {@link #WINDOW} samples (one a second),
 * and the lag per topic now. The p99 is the upper bound of the histogram bucket it falls in.
 */
public final class EventFlow {
    static final int WINDOW = 10;
    private final Supplier<List<FoldLag.PartitionLag>> lag;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private boolean moving;

    /**
     * The meters sampled, kept as the registry adds and removes them: finding them by name each
     * second searched every meter, Kafka's thousands among them, on the event loop.
     */
    private final Set<Counter> folded = ConcurrentHashMap.newKeySet();
    private final Set<Timer> propagation = ConcurrentHashMap.newKeySet();

    /** @param lag the folds' lag now, e.g. {@code () -> FoldLag.of(streams)} */
    public EventFlow(MeterRegistry registry, Supplier<List<FoldLag.PartitionLag>> lag) {
        this.lag = lag;
        registry.config().onMeterAdded(this::track).onMeterRemoved(m -> {
            folded.remove(m);
            propagation.remove(m);
        });
        registry.getMeters().forEach(this::track);
    }

    private void track(Meter meter) {
        if (meter instanceof Counter c && c.getId().getName().equals(FOLDED)) {
            folded.add(c);
        } else if (meter instanceof Timer t && t.getId().getName().equals(PROPAGATION)) {
            propagation.add(t);
        }
    }

    private static final String FOLDED = "hypermesh.events.folded";
    private static final String PROPAGATION = "hypermesh.propagation";

    private record Sample(long nanos, Map<String, Double> eventsByTopic, Map<String, String> foldByTopic,
                          Map<String, double[]> bucketsByFold, Map<String, double[]> boundsByFold) {
    }

    public record TopicFlow(String topic, String fold, double perSecond, double lag) {
    }

    /** @param p99Ms the upper bound of the bucket holding the p99, +Inf past the last; NaN with nothing applied in the window */
    public record FoldFlow(String fold, double p99Ms, long applied) {
    }

    public record View(double seconds, List<TopicFlow> topics, List<FoldFlow> folds) {
    }

    /**
     * Takes a sample; returns whether the view changed: something was folded in the window, or the
     * window has just gone quiet (its rates drop to 0).
     */
    public synchronized boolean sample() {
        Map<String, Double> events = new TreeMap<>();
        Map<String, String> folds = new TreeMap<>();
        for (Counter c : folded) {
            String topic = c.getId().getTag("topic");
            events.merge(topic, c.count(), Double::sum);
            folds.put(topic, c.getId().getTag("fold"));
        }
        Map<String, double[]> buckets = new TreeMap<>();
        Map<String, double[]> bounds = new TreeMap<>();
        for (Timer t : propagation) {
            CountAtBucket[] counts = t.takeSnapshot().histogramCounts();
            double[] b = new double[counts.length + 1];
            double[] ub = new double[counts.length];
            for (int i = 0; i < counts.length; i++) {
                b[i] = counts[i].count();
                ub[i] = counts[i].bucket(TimeUnit.MILLISECONDS);
            }
            b[counts.length] = t.count(); // the +Inf bucket
            buckets.put(t.getId().getTag("fold"), b);
            bounds.put(t.getId().getTag("fold"), ub);
        }
        Sample now = new Sample(System.nanoTime(), events, folds, buckets, bounds);
        Sample last = samples.peekLast();
        samples.addLast(now);
        while (samples.size() > WINDOW + 1) {
            samples.removeFirst();
        }
        boolean movingNow = !samples.peekFirst().eventsByTopic().equals(events);
        boolean changed = movingNow || moving || last == null;
        moving = movingNow;
        return changed;
    }

    /** The flow between the oldest and the newest sample kept; empty before two samples. */
    public synchronized View view() {
        Map<String, Double> lagByTopic = new TreeMap<>();
        lag.get().forEach(p -> lagByTopic.merge(p.topic(), p.records(), Double::sum));
        if (samples.size() < 2) {
            return new View(0, List.of(), List.of());
        }
        Sample first = samples.peekFirst();
        Sample last = samples.peekLast();
        double seconds = (last.nanos() - first.nanos()) / 1e9;
        Map<String, TopicFlow> topics = new LinkedHashMap<>();
        last.eventsByTopic().forEach((topic, count) -> topics.put(topic, new TopicFlow(topic, last.foldByTopic().get(topic),
                (count - first.eventsByTopic().getOrDefault(topic, 0.0)) / seconds, lagByTopic.getOrDefault(topic, Double.NaN))));
        List<FoldFlow> folds = last.bucketsByFold().entrySet().stream().map(e -> {
            double[] before = first.bucketsByFold().getOrDefault(e.getKey(), new double[e.getValue().length]);
            return new FoldFlow(e.getKey(), p99(e.getValue(), before, last.boundsByFold().get(e.getKey())),
                    Math.round(e.getValue()[e.getValue().length - 1] - before[before.length - 1]));
        }).toList();
        return new View(seconds, List.copyOf(topics.values()), folds);
    }

    /** The p99 of the values recorded between two snapshots of cumulative bucket counts (the last is +Inf). */
    static double p99(double[] now, double[] before, double[] bounds) {
        double total = now[now.length - 1] - before[before.length - 1];
        if (total <= 0) {
            return Double.NaN;
        }
        double target = Math.ceil(total * 0.99);
        for (int i = 0; i < bounds.length; i++) {
            if (now[i] - before[i] >= target) {
                return bounds[i];
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
