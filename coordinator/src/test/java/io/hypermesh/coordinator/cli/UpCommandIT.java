package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.bus.BusEndpoints;
import io.hypermesh.schemas.testing.Http;
import io.hypermesh.schemas.topics.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `hypermesh up` as a real process on its own embedded broker: starts, serves, stops cleanly, restarts on its data. */
class UpCommandIT {

    static final class Up implements AutoCloseable {
        final Process process;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final Thread reader;

        Up(Path dataDir) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Hypermesh.class.getName(),
                    "up", "--data-dir=" + dataDir, "--kafka-port=0", "--registry-port=0", "--api-port=0")
                    .redirectError(Path.of("target", "hypermesh-up-" + System.nanoTime() + ".log").toFile()).start();
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (Exception ignored) {
                    // process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        void awaitLine(String text, long seconds) throws InterruptedException {
            long deadline = System.currentTimeMillis() + seconds * 1000;
            while (System.currentTimeMillis() < deadline) {
                synchronized (lines) {
                    if (lines.stream().anyMatch(l -> l.contains(text))) {
                        return;
                    }
                }
                if (!process.isAlive()) {
                    reader.join(5_000);
                    if (lines.stream().anyMatch(l -> l.contains(text))) {
                        return;
                    }
                    throw new AssertionError("hypermesh up exited " + process.exitValue() + " before '" + text + "': " + lines);
                }
                Thread.sleep(100);
            }
            throw new AssertionError("no '" + text + "' within " + seconds + " s: " + lines);
        }

        String apiUrl() {
            synchronized (lines) {
                return lines.stream().filter(l -> l.startsWith("Query API:")).findFirst().orElseThrow()
                        .replaceAll("^Query API:\\s+(\\S+).*$", "$1");
            }
        }

        List<String> schemaLines() {
            synchronized (lines) {
                return lines.stream().filter(l -> l.startsWith("schema ")).toList();
            }
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void startsServesStopsOnSigtermAndRestartsOnItsData(@TempDir Path dataDir) throws Exception {
        List<String> firstIds;
        try (Up up = new Up(dataDir)) {
            up.awaitLine("HyperMesh Bus is up", 120);
            BusEndpoints endpoints = BusEndpoints.read(dataDir).orElseThrow();
            assertTrue(up.lines.stream().anyMatch(l -> l.contains(endpoints.bootstrapServers()) && l.contains("(embedded)")));
            assertTrue(up.lines.stream().anyMatch(l -> l.contains(Topics.ALL.size() + " created")), up.lines.toString());
            Http registry = new Http(endpoints.registryUrl());
            String subjects = registry.get("/subjects").body();
            assertTrue(subjects.contains("hypermesh.registry-value") && subjects.contains("hypermesh.deadletters-value"), subjects);
            firstIds = up.schemaLines();
            assertEquals(Topics.ALL.stream().filter(t -> t.valueType() != null).count(), firstIds.size(), up.lines.toString());

            assertTrue(up.lines.stream().anyMatch(l -> l.startsWith("phase 7/7 api") && l.endsWith("COMPLETED")), up.lines.toString());
            assertTrue(up.lines.contains("platform hypermesh-dev: RUNNING"), up.lines.toString());
            java.io.StringWriter status = new java.io.StringWriter();
            var cli = Hypermesh.commandLine();
            cli.setOut(new java.io.PrintWriter(status, true));
            assertEquals(0, cli.execute("status", "--data-dir=" + dataDir));
            assertTrue(status.toString().lines().anyMatch(l -> l.startsWith("query-api") && l.contains("RUNNING")), status.toString());
            assertTrue(status.toString().lines().anyMatch(l -> l.startsWith("7 ") && l.contains("RUNNING")), status.toString());

            Http api = new Http(up.apiUrl());
            assertEquals(200, api.put("/v1/agent/service/register",
                    "{\"ID\":\"web-1\",\"Name\":\"web\",\"Port\":8080,\"Check\":{\"TTL\":\"10m\"}}").status());
            awaitInstances(api, 1);

            // SIGTERM through the handle: Process.destroy() would also close our end of its stdout.
            up.process.toHandle().destroy();
            assertTrue(up.process.waitFor(60, TimeUnit.SECONDS), "stops on SIGTERM");
            up.awaitLine("HyperMesh Bus stopped.", 5);
            assertFalse(Files.exists(dataDir.resolve(BusEndpoints.FILE)), "endpoints file removed on stop");
        }
        try (Up again = new Up(dataDir)) {
            again.awaitLine("HyperMesh Bus is up", 120);
            assertTrue(again.lines.stream().anyMatch(l -> l.contains("0 created")), again.lines.toString());
            assertEquals(firstIds, again.schemaLines(), "same schema ids after a restart on the same data");
            awaitInstances(new Http(again.apiUrl()), 1);
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
}
