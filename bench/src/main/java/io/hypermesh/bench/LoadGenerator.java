package io.hypermesh.bench;

import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The benchmarks' load, in a process of its own so the measured JVM runs only the bus: registrations
 * published through the bus's {@link BusPublisher}, as fast as it goes or paced at a rate by parking
 * until each send is due (never spinning). Paced probes carry the time they were due, in epoch
 * microseconds, so the measuring process times each from its intended send, across processes.
 */
public final class LoadGenerator {
    /** Metadata key of a probe's intended send time, epoch microseconds. */
    static final String DUE_MICROS = "dueMicros";

    /** Background registrations sent before the paced run starts. */
    private static final int WARM_UP_EVENTS = 20_000;
    /** The runner's scratch topic for the bus's own publishing (see {@link BenchRunner}). */
    static final String WARM_UP_TOPIC = "bench.bus";
    /** When the first event was sent, epoch microseconds. */
    private static long STARTED_MICROS;

    private LoadGenerator() {
    }

    /**
     * What a run did: the probes it sent, when it sent its first measured event (epoch
     * microseconds), the CPU seconds its own process used from then to its end (-1 if unknown), and every line it printed.
     */
    record Result(long probes, long startedMicros, double cpuSeconds, long endedMicros, List<String> lines) {
    }

    /** CPU time of this process, for the cores it reports; -1 where the JVM cannot say. */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private static long startedCpuNanos;

    /** Marks the start of what is measured, and tells the parent at once ({@link #run} waits for the line). */
    static void started() {
        STARTED_MICROS = nowMicros();
        startedCpuNanos = processCpuNanos();
        System.out.println("started " + STARTED_MICROS);
        System.out.flush();
    }

    /** Wall-clock epoch microseconds: how probes' due times are given, so another process can time them. */
    static long nowMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    /**
     * How long ago a probe was due, in microseconds, the first time its sequence number is in
     * {@code seen}; -1 when the probe lacks either or was seen before (views show it again and again).
     */
    static long firstSeenAgeMicros(String seq, String dueMicros, java.util.Set<String> seen, long nowMicros) {
        return seq != null && dueMicros != null && seen.add(seq) ? nowMicros - Long.parseLong(dueMicros) : -1;
    }

    /**
     * {@code fold <bootstrap> <registry> <count>}: {@code count} registrations of 5,000 instances, unpaced.
     * {@code latency <bootstrap> <registry> <count> <rate> <run> <watchers> <probeEvery> <instancesPerService> <warmUpMs>}:
     * paced at {@code rate} a second, one in {@code probeEvery} a probe on a watched service, after
     * {@code warmUpMs} of the same pace to a topic no fold reads.
     * Prints {@code started <micros>} when the measured part starts, then {@code probes <n>} and
     * {@code cpu <seconds>} (this process's, from the start) when done.
     */
    public static void main(String[] args) {
        KafkaAccess kafka = KafkaAccess.to(args[1]);
        HttpRegistryClient registry = new HttpRegistryClient(args[2]);
        long count = Long.parseLong(args[3]);
        long probes = switch (args[0]) {
            case "fold" -> fold(kafka, registry, count);
            case "latency" -> latency(kafka, registry, count, Double.parseDouble(args[4]), args[5], Integer.parseInt(args[6]),
                    Long.parseLong(args[7]), Integer.parseInt(args[8]), Long.parseLong(args[9]));
            default -> throw new IllegalArgumentException("mode must be fold or latency, was " + args[0]);
        };
        finished(probes);
        registry.close();
    }

    /** Tells the parent when the last send was acknowledged (a generator that knows it). */
    static void ended() {
        System.out.println("ended " + nowMicros());
    }

    /** Tells the parent what was sent and the CPU this process used since {@link #started()}. */
    static void finished(long probes) {
        long cpu = processCpuNanos();
        System.out.println("probes " + probes);
        System.out.println("cpu " + (cpu < 0 || startedCpuNanos < 0 ? -1 : (cpu - startedCpuNanos) / 1e9));
        System.out.flush();
    }

    private static long fold(KafkaAccess kafka, HttpRegistryClient registry, long count) {
        // The raw baseline's batching (ProducerPerformance ran with linger 5 ms, 64 KB batches).
        try (BusPublisher producer = BusPublisher.idempotent(kafka, registry, BenchRunner.BASELINE_BATCHING)) {
            warmUp(producer);
            started();
            for (long i = 0; i < count; i++) {
                String id = "fold-" + (i % 5_000);
                producer.publish(Topics.REGISTRY, id, BenchEvents.registration(id, "fold", 600_000));
            }
            producer.flush();
        }
        return 0;
    }

    private static long latency(KafkaAccess kafka, HttpRegistryClient registry, long count, double rate, String run, int watchers,
                                long probeEvery, int instancesPerService, long warmUpMs) {
        long intervalNanos = (long) (1e9 / rate);
        // Batched as a Kafka 4 client batches by default (linger.ms 5): a probe may wait up to 5 ms
        // for its batch, and that counts against the bus, since it is timed from when it was due. Sent
        // one request a record (linger 0), the load cost this process and the broker about twice the CPU.
        try (BusPublisher producer = BusPublisher.idempotent(kafka, registry, Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
            warmUp(producer);
            // The same paced sends, untimed and to a topic no fold reads, until this process's JIT has
            // compiled them: its compiler threads would otherwise take cores from the bus while it is measured.
            paced(intervalNanos, (long) (warmUpMs * rate / 1000), i -> {
                String id = "warm-" + (i % 5_000);
                producer.publish(WARM_UP_TOPIC, id, BenchEvents.registration(id, "warm", 600_000));
            });
            started();
            long[] probes = {0};
            paced(intervalNanos, count, i -> {
                if (i % probeEvery != 0) {
                    // The same background instances in every run: a bus measured run after run holds 5,000 of them, not 5,000 more a run.
                    String id = "bg-" + (i % 5_000);
                    producer.publish(Topics.REGISTRY, id, BenchEvents.registration(id, "bg-" + (i % 250), 600_000));
                    return;
                }
                // A fixed pool of instances per watched service, re-registered with a new sequence number:
                // each view stays small, so what is timed is the pipeline, not an ever longer answer.
                long p = probes[0]++;
                String id = "lat-" + run + "-" + (p % ((long) watchers * instancesPerService));
                long dueMicros = STARTED_MICROS + i * intervalNanos / 1_000;
                producer.publish(Topics.REGISTRY, id, BenchEvents.registration(id, "lat-" + run + "-" + (p % watchers), 600_000,
                        Map.of("seq", Long.toString(p), DUE_MICROS, Long.toString(dueMicros))));
            });
            producer.flush();
            return probes[0];
        }
    }

    /** Runs {@code send} for 0..count-1, each when due at {@code intervalNanos} apart, parking until then (never spinning). */
    private static void paced(long intervalNanos, long count, java.util.function.LongConsumer send) {
        long start = System.nanoTime();
        for (long i = 0; i < count; i++) {
            long wait = start + i * intervalNanos - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait); // late by the park's granularity at worst, and timed from when it was due
            }
            send.accept(i);
        }
    }

    /**
     * Untimed, and to a topic no fold reads: the producer connected, the topic's schema registered
     * and this process's code compiled, so what is timed is not this process starting.
     */
    private static void warmUp(BusPublisher producer) {
        for (int i = 0; i < WARM_UP_EVENTS; i++) {
            String id = "warm-" + (i % 5_000);
            producer.publish(WARM_UP_TOPIC, id, BenchEvents.registration(id, "warm", 600_000));
        }
        producer.flush();
    }

    /**
     * Runs the generator in a child JVM with this one's class path and waits for it; {@code onStarted}
     * runs when the measured part starts, so what the caller measures leaves out the child's start.
     */
    static Result run(Path work, Runnable onStarted, String... args) throws IOException, InterruptedException {
        return run(LoadGenerator.class, work, onStarted, args);
    }

    /**
     * The same for another generator: {@code main} prints {@code started <micros>}, then {@code probes <n>}, {@code cpu <seconds>}
     * and, if it knows when its last send was acknowledged, {@code ended <micros>}.
     */
    static Result run(Class<?> main, Path work, Runnable onStarted, String... args) throws IOException, InterruptedException {
        List<String> command = ChildJvm.command(List.of(), main.getName(), List.of(args));
        Path output = java.nio.file.Files.createTempFile(work, "load-", ".log");
        Process generator = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (java.io.BufferedReader out = generator.inputReader(); java.io.PrintWriter log = new java.io.PrintWriter(
                java.nio.file.Files.newBufferedWriter(output))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                log.println(line);
                lines.add(line);
                if (line.startsWith("started ")) {
                    onStarted.run();
                }
            }
        }
        if (!generator.waitFor(30, java.util.concurrent.TimeUnit.MINUTES) || generator.exitValue() != 0) {
            generator.destroyForcibly();
            throw new IllegalStateException("the load generator failed (" + String.join(" ", args) + "): "
                    + java.nio.file.Files.readString(output));
        }
        return new Result(value(lines, "probes "), value(lines, "started "),
                Double.parseDouble(lines.stream().filter(l -> l.startsWith("cpu ")).findFirst().orElse("cpu -1").substring(4)),
                lines.stream().anyMatch(l -> l.startsWith("ended ")) ? value(lines, "ended ") : -1, List.copyOf(lines));
    }

    private static long value(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).mapToLong(l -> Long.parseLong(l.substring(prefix.length())))
                .findFirst().orElseThrow(() -> new IllegalStateException("the load generator printed no '" + prefix.trim() + "' line"));
    }
}
