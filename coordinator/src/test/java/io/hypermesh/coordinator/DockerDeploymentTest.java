package io.hypermesh.coordinator;

import io.hypermesh.adapters.transport.TransportAdapter;
import io.hypermesh.coordinator.cli.Hypermesh;
import kafka.server.KafkaConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The scale-out deployment in {@code docker/}, checked without a Docker engine (none runs here):
 * each Kafka node's environment is turned into server properties the way the apache/kafka image
 * does and must be a valid KRaft configuration of the Kafka version we build against; every
 * {@code hypermesh} service's command must parse; the wiring between services must name services
 * and ports that exist; Prometheus' own promtool must accept its configuration.
 */
class DockerDeploymentTest {
    private static final Path DOCKER = Path.of("..", "docker");
    private static Map<String, Map<String, Object>> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        Map<String, Object> compose = yaml.load(Files.readString(DOCKER.resolve("compose.yaml")));
        services = (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void threeKraftNodesWithValidConfigurationsFormOneQuorum() {
        List<String> nodes = services.keySet().stream().filter(s -> s.startsWith("kafka-")).sorted().toList();
        assertEquals(List.of("kafka-1", "kafka-2", "kafka-3"), nodes);
        Set<String> clusterIds = new HashSet<>();
        Set<String> nodeIds = new HashSet<>();
        for (String node : nodes) {
            Map<String, Object> service = services.get(node);
            assertEquals("apache/kafka:" + AppInfoParser.getVersion(), service.get("image"), node + " runs the Kafka we build against");
            Map<String, String> env = environment(service);
            clusterIds.add(env.get("CLUSTER_ID"));
            Uuid.fromString(env.get("CLUSTER_ID"));

            Properties props = serverProperties(env);
            KafkaConfig config = KafkaConfig.fromProps(props, false);
            nodeIds.add(Integer.toString(config.nodeId()));
            for (String copies : List.of("default.replication.factor", "offsets.topic.replication.factor",
                    "transaction.state.log.replication.factor")) {
                assertEquals("3", props.getProperty(copies), node + " " + copies);
            }
            for (String inSync : List.of("min.insync.replicas", "transaction.state.log.min.isr")) {
                assertEquals("2", props.getProperty(inSync), node + " " + inSync);
            }
            assertEquals("1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093", props.getProperty("controller.quorum.voters"));
            assertTrue(props.getProperty("advertised.listeners").contains("INTERNAL://" + node + ":9092"), node
                    + " advertises its own name");
            assertEquals(node, service.get("hostname"));
        }
        assertEquals(1, clusterIds.size(), "one cluster id");
        assertEquals(Set.of("1", "2", "3"), nodeIds);
    }

    @Test
    void everyBusServiceRunsACommandTheCliTakesAgainstTheClusterAndTheRegistry() {
        List<String> bus = services.entrySet().stream().filter(e -> "hypermesh-bus:latest".equals(e.getValue().get("image")))
                .map(Map.Entry::getKey).sorted().toList();
        assertEquals(List.of("adapter-consensus", "adapter-containers", "adapter-security", "adapter-transport", "folds-1", "folds-2",
                "registry"), bus);
        for (String name : bus) {
            Map<String, Object> service = services.get(name);
            List<String> command = command(service);
            try {
                Hypermesh.commandLine().parseArgs(command.toArray(String[]::new));
            } catch (RuntimeException e) {
                fail(name + ": `hypermesh " + String.join(" ", command) + "` does not parse: " + e.getMessage());
            }
            Map<String, String> env = environment(service);
            for (String server : env.get("HYPERMESH_BOOTSTRAP_SERVERS").split(",")) {
                String host = server.substring(0, server.indexOf(':'));
                assertTrue(services.containsKey(host), name + " bootstraps from " + server);
                assertTrue(environment(services.get(host)).get("KAFKA_ADVERTISED_LISTENERS").contains("//" + server), server
                        + " is advertised");
            }
            assertEquals("http://registry:8081", env.get("HYPERMESH_REGISTRY_URL"), name);
            for (String probe : option(command, "--probe")) {
                TransportAdapter.Probe p = TransportAdapter.Probe.parse(probe);
                assertTrue(services.containsKey(p.host()), name + " probes " + probe);
            }
        }
        assertEquals(List.of("8081"), option(command(services.get("registry")), "--port"));
    }

    @Test
    void twoFoldsInstancesShareOneApplicationEachReachableByThePeerAndScraped() throws Exception {
        List<String> scraped = new ArrayList<>();
        for (String name : List.of("folds-1", "folds-2")) {
            List<String> command = command(services.get(name));
            assertEquals(List.of(), option(command, "--application-id"), "both use the default application id, so they share the work");
            assertEquals(List.of(name), option(command, "--host"), name + " advertises the name its peer resolves");
            assertTrue(((List<?>) services.get(name).get("volumes")).get(0).toString().startsWith(name + ":"), name
                    + " keeps its own state");
            scraped.add(name + ":" + option(command, "--api-port").get(0));
        }
        String prometheus = Files.readString(DOCKER.resolve("prometheus.yml"));
        for (String target : scraped) {
            assertTrue(prometheus.contains("\"" + target + "\""), "Prometheus scrapes " + target);
        }
        assertTrue(promtool("check", "config", "prometheus.yml").contains("1 rule files found"), "the alert rules are loaded");
    }

    /** Each alert rule fires when it should and not before (alerts.test.yml), and the deployment mounts the rules. */
    @Test
    void alertRulesPassTheirUnitTestsAndAreMounted() throws Exception {
        promtool("test", "rules", "alerts.test.yml");
        assertTrue(services.get("prometheus").get("volumes").toString().contains("./alerts.yml:/etc/prometheus/alerts.yml"),
                "Prometheus's container has the rules its config names");
    }

    /** Debian's prometheus package's promtool, in docker/; its exit code must be 0. */
    private static String promtool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process promtool = new ProcessBuilder(command).directory(DOCKER.toFile()).redirectErrorStream(true).start();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, promtool.waitFor(), String.join(" ", command) + ":\n" + output);
        return output;
    }

    @Test
    void dependenciesNameServicesAndTheImageRunsTheCli() throws IOException {
        for (Map.Entry<String, Map<String, Object>> e : services.entrySet()) {
            Object dependsOn = e.getValue().get("depends_on");
            if (dependsOn instanceof Map<?, ?> deps) {
                deps.keySet().forEach(d -> assertTrue(services.containsKey(d.toString()), e.getKey() + " depends on " + d));
            }
        }
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        assertTrue(dockerfile.contains(" " + Hypermesh.class.getName() + " "), "the image's entry point is the CLI");
        for (String line : dockerfile.lines().filter(l -> l.startsWith("COPY ") && !l.contains("--from")).toList()) {
            String source = line.split("\\s+")[1];
            assertTrue(Files.exists(Path.of("..").resolve(source)), "Dockerfile copies " + source + ", which exists");
        }
        // The image builds the whole reactor: a module it does not copy fails `mvn install` there.
        java.util.regex.Matcher module = java.util.regex.Pattern.compile("<module>([^<]+)</module>")
                .matcher(Files.readString(Path.of("../pom.xml")));
        while (module.find()) {
            assertTrue(dockerfile.contains("COPY " + module.group(1) + "/pom.xml ") && dockerfile.contains("COPY " + module.group(1)
                    + "/src "),
                    "the Dockerfile copies module " + module.group(1));
        }
    }

    /** As the apache/kafka image maps KAFKA_* variables: '_' is '.', '__' is '_', '___' is '-'. */
    private static Properties serverProperties(Map<String, String> env) {
        Properties props = new Properties();
        env.forEach((k, v) -> {
            if (k.startsWith("KAFKA_")) {
                String key = k.substring("KAFKA_".length()).replace("___", "-").replace("__", "\u0000").replace('_', '.')
                        .replace('\u0000', '_').toLowerCase(Locale.ROOT);
                props.setProperty(key, v);
            }
        });
        return props;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(Map<String, Object> service) {
        Map<String, Object> env = (Map<String, Object>) service.get("environment");
        return env.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue()), (a, b) -> b,
                TreeMap::new));
    }

    @SuppressWarnings("unchecked")
    private static List<String> command(Map<String, Object> service) {
        return (List<String>) service.get("command");
    }

    private static List<String> option(List<String> command, String name) {
        return command.stream().filter(a -> a.startsWith(name + "=")).map(a -> a.substring(name.length() + 1)).toList();
    }
}
