package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.bus.BusEndpoints;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.schemas.topics.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `hypermesh up` as a real process on its own embedded broker: starts, serves, stops cleanly, restarts on its data. */
class UpCommandIT {

    static HypermeshProcess up(Path dataDir) throws Exception {
        return new HypermeshProcess("up", "--data-dir=" + dataDir, "--kafka-port=0", "--registry-port=0", "--api-port=0");
    }

    static String apiUrl(HypermeshProcess up) {
        return up.line("Query API:").replaceAll("^Query API:\\s+(\\S+).*$", "$1");
    }

    /** The id of every envelope subject, as the registry answers it. */
    static List<String> schemaIds(Path dataDir) {
        Http registry = new Http(BusEndpoints.read(dataDir).orElseThrow().registryUrl());
        return Topics.ALL.stream().filter(t -> t.valueType() != null).map(t -> t.valueSubject() + " -> "
                + registry.get("/subjects/" + t.valueSubject() + "/versions/latest").json().get("id")).toList();
    }

    /**
     * What `up` printed up to "is up", as the README's sample shows it: the data dir as its default,
     * any port as the README's, and without the two adapters that depend on what the machine runs.
     */
    static List<String> asInReadme(List<String> lines, Path dataDir) {
        List<String> shown = new ArrayList<>();
        for (String line : lines) {
            if (!line.contains("consensus") && !line.contains("container")) {
                shown.add(line.replace(dataDir.toAbsolutePath().toString(), ".hypermesh").replaceAll("127\\.0\\.0\\.1:\\d+",
                        "127.0.0.1:PORT"));
            }
            if (line.startsWith("HyperMesh Bus is up")) {
                break;
            }
        }
        return shown;
    }

    /** The README's sample of `up`'s output: the first ``` block after the line that introduces it. */
    static List<String> readmeSample() throws java.io.IOException {
        List<String> readme = Files.readAllLines(Path.of("..", "README.md"));
        int intro = readme.indexOf("`hypermesh up` prints where things are:");
        assertTrue(intro >= 0, "the README introduces up's output");
        int start = readme.subList(intro, readme.size()).indexOf("```") + intro + 1;
        int end = readme.subList(start, readme.size()).indexOf("```") + start;
        return readme.subList(start, end);
    }

    static String telemetry(int points, double latency, java.util.Random noise) {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < points; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"linkId\":\"up-step\",\"nodeId\":\"n1\",\"peerNodeId\":\"n2\",\"latencyMs\":")
                    .append(latency + noise.nextDouble() - 0.5).append('}');
        }
        return batch.append(']').toString();
    }

    /** Issue 30, end to end on up: a link's latency step is one anomaly, in the API and the metrics within a second, then cleared. */
    static void anomalyOnALatencyStep(Http transport, Http api) throws Exception {
        java.util.Random noise = new java.util.Random(3);
        String series = java.net.URLEncoder.encode("link_latency_ms{link=\"up-step\",node=\"n1\",peer=\"n2\"}",
                java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(202, transport.send("POST", "", telemetry(400, 10, noise), "application/json").status());
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!api.get("/v1/hypermesh/series?key=" + series).body().contains("\"Points\":400")) {
            assertTrue(System.nanoTime() < deadline, "400 points judged");
            Thread.sleep(100);
        }
        long step = System.nanoTime();
        assertEquals(202, transport.send("POST", "", telemetry(1, 30, noise), "application/json").status());
        String open = "";
        String metrics = "";
        while (!open.contains("\"Open\":true") || !metrics.matches("(?s).*hypermesh_anomalies_open\\{[^}]*\\} 1\\.0.*")) {
            assertTrue(System.nanoTime() - step < 10_000_000_000L, "the anomaly in the API and the metrics: " + open + "\n"
                    + metrics.lines().filter(l -> l.contains("anomal")).toList());
            Thread.sleep(20);
            open = api.get("/v1/hypermesh/anomalies?open&series=" + series).body();
            metrics = api.get("/metrics").body();
        }
        double seconds = (System.nanoTime() - step) / 1e9;
        assertTrue(seconds < 1.0, "the anomaly showed " + seconds + " s after the step's first event");
        assertEquals(202, transport.send("POST", "", telemetry(20, 30, noise), "application/json").status());
        while (!api.get("/v1/hypermesh/anomalies?series=" + series).body().contains("\"Open\":false")) {
            assertTrue(System.nanoTime() - step < 30_000_000_000L, "the anomaly cleared");
            Thread.sleep(100);
        }
    }

    @Test
    void startsServesStopsOnSigtermAndRestartsOnItsData(@TempDir Path dataDir) throws Exception {
        List<String> firstIds;
        try (HypermeshProcess up = up(dataDir)) {
            up.awaitLine("HyperMesh Bus is up", 120);
            List<String> printed;
            synchronized (up.lines) {
                printed = List.copyOf(up.lines);
            }
            // A quiet console: up's own lines, once; the log is in the data dir.
            assertTrue(printed.size() <= 25, printed.size() + " lines: " + printed);
            assertTrue(printed.stream().noneMatch(l -> l.contains("WARN") || l.contains("ERROR")), printed.toString());
            String stderr = Files.readString(up.stderr);
            assertTrue(stderr.lines().noneMatch(l -> l.contains("WARN") || l.contains("ERROR")), stderr);
            assertTrue(Files.size(dataDir.resolve("logs").resolve("hypermesh.log")) > 0, "the log is written under the data dir");
            assertEquals(asInReadme(readmeSample(), dataDir), asInReadme(printed, dataDir), "the README shows what up prints");
            BusEndpoints endpoints = BusEndpoints.read(dataDir).orElseThrow();
            assertTrue(up.lines.stream().anyMatch(l -> l.contains(endpoints.bootstrapServers()) && l.contains("(embedded)")));
            assertTrue(up.lines.stream().anyMatch(l -> l.contains(Topics.ALL.size() + " created")), up.lines.toString());
            Http registry = new Http(endpoints.registryUrl());
            String subjects = registry.get("/subjects").body();
            assertTrue(subjects.contains("hypermesh.registry-value") && subjects.contains("hypermesh.deadletters-value"), subjects);
            firstIds = schemaIds(dataDir);

            // The phases start the adapters, which really run: their inputs answer.
            assertTrue(up.lines.stream().anyMatch(l -> l.startsWith("phase 1/7 transport") && l.endsWith("COMPLETED")),
                    up.lines.toString());
            assertTrue(up.lines.stream().anyMatch(l -> l.startsWith("phase 4/7 security") && l.endsWith("COMPLETED")), up.lines.toString());
            assertTrue(up.lines.contains("platform hypermesh-dev: RUNNING"), up.lines.toString());
            Http.Response telemetry = new Http(urlAfter(up, "Transport telemetry:")).send("POST", "",
                    "{\"linkId\":\"up-link\",\"nodeId\":\"n1\",\"peerNodeId\":\"n2\",\"latencyMs\":1.5}", "application/json");
            assertEquals(2, telemetry.status() / 100, telemetry.body());
            anomalyOnALatencyStep(new Http(urlAfter(up, "Transport telemetry:")), new Http(apiUrl(up)));
            Http.Response falco = new Http(urlAfter(up, "Falco http_output:")).send("POST", "", "{\"hostname\":\"n1\",\"output\":\"shell\","
                    + "\"priority\":\"Warning\",\"rule\":\"Terminal shell in container\",\"source\":\"syscall\","
                    + "\"time\":\"2026-11-30T10:00:00.000000000Z\",\"output_fields\":{}}", "application/json");
            assertEquals(204, falco.status(), falco.body());
            java.io.StringWriter status = new java.io.StringWriter();
            var cli = Hypermesh.commandLine();
            cli.setOut(new java.io.PrintWriter(status, true));
            assertEquals(0, cli.execute("status", "--data-dir=" + dataDir));
            assertTrue(status.toString().lines().anyMatch(l -> l.startsWith("transport ") && l.contains("RUNNING")), status.toString());
            assertTrue(status.toString().lines().anyMatch(l -> l.startsWith("security ") && l.contains("RUNNING")), status.toString());
            assertTrue(status.toString().lines().anyMatch(l -> l.startsWith("4 ") && l.contains("RUNNING")), status.toString());

            Http api = new Http(apiUrl(up));
            assertEquals(200, api.put("/v1/agent/service/register",
                    "{\"ID\":\"web-1\",\"Name\":\"web\",\"Port\":8080,\"Check\":{\"TTL\":\"10m\"}}").status());
            awaitInstances(api, 1);

            assertTrue(up.terminate(60), "stops on SIGTERM");
            up.awaitLine("HyperMesh Bus stopped.", 5);
            assertFalse(Files.exists(dataDir.resolve(BusEndpoints.FILE)), "endpoints file removed on stop");
        }
        try (HypermeshProcess again = up(dataDir)) {
            again.awaitLine("HyperMesh Bus is up", 120);
            assertTrue(again.lines.stream().anyMatch(l -> l.contains("0 created")), again.lines.toString());
            assertEquals(firstIds, schemaIds(dataDir), "same schema ids after a restart on the same data");
            awaitInstances(new Http(apiUrl(again)), 1);
        }
    }

    static void awaitInstances(Http api, int expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            Http.Response r = api.get("/v1/health/service/web");
            last = r.status() + " " + r.body();
            if (r.status() == 200 && r.json().size() == expected) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("web did not reach " + expected + " instance(s): " + last);
    }

    /** The URL on the line {@code up} printed after {@code label}. */
    static String urlAfter(HypermeshProcess up, String label) {
        return up.line(label).substring(label.length()).trim();
    }
}
