package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.bus.BusEndpoints;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.schemas.topics.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
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

    static List<String> schemaLines(HypermeshProcess up) {
        synchronized (up.lines) {
            return up.lines.stream().filter(l -> l.startsWith("schema ")).toList();
        }
    }

    @Test
    void startsServesStopsOnSigtermAndRestartsOnItsData(@TempDir Path dataDir) throws Exception {
        List<String> firstIds;
        try (HypermeshProcess up = up(dataDir)) {
            up.awaitLine("HyperMesh Bus is up", 120);
            BusEndpoints endpoints = BusEndpoints.read(dataDir).orElseThrow();
            assertTrue(up.lines.stream().anyMatch(l -> l.contains(endpoints.bootstrapServers()) && l.contains("(embedded)")));
            assertTrue(up.lines.stream().anyMatch(l -> l.contains(Topics.ALL.size() + " created")), up.lines.toString());
            Http registry = new Http(endpoints.registryUrl());
            String subjects = registry.get("/subjects").body();
            assertTrue(subjects.contains("hypermesh.registry-value") && subjects.contains("hypermesh.deadletters-value"), subjects);
            firstIds = schemaLines(up);
            assertEquals(Topics.ALL.stream().filter(t -> t.valueType() != null).count(), firstIds.size(), up.lines.toString());

            // The phases start the adapters, which really run: their inputs answer.
            assertTrue(up.lines.stream().anyMatch(l -> l.startsWith("phase 1/7 transport") && l.endsWith("COMPLETED")), up.lines.toString());
            assertTrue(up.lines.stream().anyMatch(l -> l.startsWith("phase 4/7 security") && l.endsWith("COMPLETED")), up.lines.toString());
            assertTrue(up.lines.contains("platform hypermesh-dev: RUNNING"), up.lines.toString());
            Http.Response telemetry = new Http(urlAfter(up, "Transport telemetry:")).send("POST", "",
                    "{\"linkId\":\"up-link\",\"nodeId\":\"n1\",\"peerNodeId\":\"n2\",\"latencyMs\":1.5}", "application/json");
            assertEquals(2, telemetry.status() / 100, telemetry.body());
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
            assertEquals(firstIds, schemaLines(again), "same schema ids after a restart on the same data");
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
