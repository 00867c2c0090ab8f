package io.hypermesh.platform.testing;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real three-node Kafka cluster (each node broker and KRaft controller) as separate processes on
 * loopback, so a test can kill one with SIGKILL: a crash, not a controlled shutdown. Internal
 * topics are replicated three times with two in sync, as in production.
 */
public final class KafkaNodes implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private final List<Process> processes = new ArrayList<>();
    private final int[] ports;

    private KafkaNodes(int[] ports) {
        this.ports = ports;
    }

    public static KafkaNodes start(Path dir, int count) throws Exception {
        int[] ports = new int[count];
        int[] controllerPorts = new int[count];
        for (int i = 0; i < count; i++) {
            ports[i] = EmbeddedKafka.freePort();
            controllerPorts[i] = EmbeddedKafka.freePort();
        }
        String voters = java.util.stream.IntStream.range(0, count).mapToObj(i -> (i + 1) + "@" + HOST + ":" + controllerPorts[i])
                .collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        KafkaNodes nodes = new KafkaNodes(ports);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            for (int i = 0; i < count; i++) {
                Path logDir = Files.createDirectories(dir.resolve("node-" + (i + 1))).toAbsolutePath();
                Properties p = EmbeddedKafka.nodeProperties(i + 1, ports[i], controllerPorts[i], voters, logDir, 3);
                // A dead broker is noticed within seconds, not the default 9 s heartbeat timeout.
                p.put("broker.session.timeout.ms", "4000");
                p.put("broker.heartbeat.interval.ms", "1000");
                p.put("replica.lag.time.max.ms", "5000");
                EmbeddedKafka.format(logDir, clusterId, i + 1);
                Path config = dir.resolve("node-" + (i + 1) + ".properties");
                try (var out = Files.newBufferedWriter(config)) {
                    p.store(out, "node " + (i + 1));
                }
                nodes.processes.add(new ProcessBuilder(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"), "kafka.Kafka",
                        config.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("node-" + (i + 1)
                                + ".log").toFile()).start());
            }
            nodes.awaitBrokers(count, Duration.ofSeconds(120));
            return nodes;
        } catch (Exception e) {
            nodes.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return java.util.Arrays.stream(ports).mapToObj(p -> HOST + ":" + p).collect(Collectors.joining(","));
    }

    public Map<String, Object> clientConfig() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    }

    /** Kills node {@code nodeId} (1-based) with SIGKILL and waits until it is gone. */
    public void kill(int nodeId) throws InterruptedException {
        Process p = processes.get(nodeId - 1);
        p.destroyForcibly();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node " + nodeId + " did not die");
        }
    }

    private void awaitBrokers(int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < processes.size(); i++) {
                if (!processes.get(i).isAlive()) {
                    throw new IllegalStateException("Kafka node " + (i + 1) + " exited with " + processes.get(i).exitValue());
                }
            }
            try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 3000, "default.api.timeout.ms", 5000))) {
                if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == count) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the cluster did not come up with " + count + " brokers within " + timeout, last);
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
