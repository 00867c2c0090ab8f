package io.hypermesh.bench;

import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.app.StreamsApp;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;

/**
 * 2. Fold: from produce until the registry fold committed everything, against the raw producer
 * rate and against the floor, the least Kafka Streams fold of the same registrations ({@link StreamsFloor}).
 */
final class FoldBench {
    /** Warm-up runs at most, when the rate never settles (the report says how many ran). */
    private static final int MAX_WARM_RUNS = 6;
    /** Two warm-up runs this close (relative) mean the rate is steady. */
    private static final double STEADY = 0.05;
    private static final int MEASURED_RUNS = 3;

    private final BenchRunner runner;
    /** Where the last run's cores went, process by process and thread by thread (read before its stream threads end). */
    private String lastThreads = "";

    FoldBench(BenchRunner runner) {
        this.runner = runner;
    }

    /** Measures the bus's fold, then the floor's, under {@code guarantee}; returns the bus's rate. */
    double run(String guarantee, double rawRate) throws Exception {
        boolean tiny = runner.scale().name().equals("tiny");
        // Warm until two runs in a row agree within 5% (the JIT compiles for most of a minute), then measure.
        // A tiny run (the tests') checks the benchmark works, not the figure: one warm-up run, as the latency bench.
        int warmRuns = 1;
        double previous = busRun(guarantee);
        while (warmRuns < (tiny ? 1 : MAX_WARM_RUNS)) {
            double next = busRun(guarantee);
            warmRuns++;
            boolean steady = Math.abs(next - previous) <= STEADY * previous;
            previous = next;
            if (steady) {
                break;
            }
        }
        double[] rates = new double[MEASURED_RUNS];
        String profile;
        try (JfrTop samples = new JfrTop()) {
            for (int i = 0; i < rates.length; i++) {
                rates[i] = busRun(guarantee);
            }
            profile = samples.top(8, "StreamThread");
        }
        String busThreads = lastThreads;
        double rate = median(rates);
        if (!tiny) {
            floorRun(guarantee); // its own code warmed; the JVM is warm from the bus's runs
        }
        double[] floorRates = new double[tiny ? 1 : MEASURED_RUNS];
        for (int i = 0; i < floorRates.length; i++) {
            floorRates[i] = floorRun(guarantee);
        }
        double floor = median(floorRates);
        String figure = String.format(Locale.ROOT, "events/s produced and folded (median of %d after %d warm-up runs; %.0f..%.0f)",
                rates.length, warmRuns, Arrays.stream(rates).min().orElse(0), Arrays.stream(rates).max().orElse(0));
        runner.report().add("2. fold (" + guarantee + ")", figure, rate, "raw producer (1.)", rawRate, rate / rawRate, ">= 0.33",
                rate / rawRate >= 0.33);
        runner.report().add("2. fold (" + guarantee + ")", figure, rate, "minimal Kafka Streams fold (floor)", floor, rate / floor, "-",
                true);
        runner.report().note(String.format(Locale.ROOT, "fold (%s), the floor: %.0f events/s (median of %d; %.0f..%.0f), %.2f of the raw"
                        + " producer; its last run, from /proc: %s", guarantee, floor, floorRates.length,
                Arrays.stream(floorRates).min().orElse(0), Arrays.stream(floorRates).max().orElse(0), floor / rawRate, lastThreads));
        runner.report().note("fold (" + guarantee + "), the last measured run, from /proc: " + busThreads);
        runner.report().note("fold (" + guarantee + "), JFR over the measured runs: " + profile);
        return rate;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private double busRun(String guarantee) throws Exception {
        try (StreamsApp app = runner.startFolds(guarantee)) {
            return measure(app.settings().applicationId());
        }
    }

    private double floorRun(String guarantee) throws Exception {
        String id = "floor-" + guarantee + "-" + UUID.randomUUID().toString().substring(0, 6);
        try (StreamsFloor floor = StreamsFloor.start(runner.settings(guarantee, id), new HttpRegistryClient(runner.registry().url()),
                key -> {
                })) {
            Thread.sleep(1_000);
            return measure(id);
        }
    }

    /** Publishes the fold load from a process of its own and waits until {@code group} committed all of it. */
    private double measure(String group) throws Exception {
        int n = runner.scale().foldEvents();
        MachineCpu.Window cpu = new MachineCpu.Window();
        // CPU is counted from the generator's first measured send, not from its start.
        LoadGenerator.Result load = LoadGenerator.run(runner.work(), cpu::start, "fold", runner.kafka().bootstrapServers(),
                runner.registry().url(), Integer.toString(n));
        runner.awaitCommitted(group, Topics.REGISTRY.name(), Duration.ofMinutes(10));
        lastThreads = cpu.split(load.cpuSeconds(), n, 8);
        long tookMicros = LoadGenerator.nowMicros() - load.startedMicros();
        return n / (tookMicros / 1e6);
    }
}
