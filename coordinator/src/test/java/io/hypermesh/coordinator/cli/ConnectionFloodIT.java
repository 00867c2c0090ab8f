package io.hypermesh.coordinator.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 28, repro 8: 20,000 TCP connections to the query API of a real `hypermesh up` made the
 * broker run out of file descriptors and the whole process exit. Now each listener takes a bounded
 * number, per client and in all; the flood is refused while the bus, its broker, its registry and
 * the API for everyone else keep answering.
 */
@Tag("kafka")
class ConnectionFloodIT {
    static final int CONNECTIONS = 20_000;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void twentyThousandConnectionsAreRefusedWhileTheBusStaysUpAndAnswers() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "connection-flood-");
        int api = freePort();
        int registry = freePort();
        try (HypermeshProcess up = new HypermeshProcess("up", "--data-dir=" + dataDir, "--kafka-port=" + freePort(),
                "--registry-port=" + registry, "--api-port=" + api)) {
            up.awaitLine("is up", 180);
            List<Process> floods = new ArrayList<>();
            try {
                // Two clients of 10,000 each (one process cannot hold 20,000 sockets under a 20,000-file limit).
                for (String from : List.of("127.0.0.2", "127.0.0.3")) {
                    floods.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                            System.getProperty("java.class.path"), ConnectionFlood.class.getName(), "127.0.0.1", Integer.toString(api),
                            from, Integer.toString(CONNECTIONS / 2)).redirectErrorStream(true).start());
                }
                for (Process flood : floods) {
                    String done = new BufferedReader(new InputStreamReader(flood.getInputStream())).readLine();
                    System.out.println("flood: " + done);
                    assertTrue(done != null && done.startsWith("opened"), "the flood ran: " + done);
                }
                assertTrue(up.process.isAlive(), "the bus is still running with 20,000 connections asked of it");
                assertEquals(200, get("http://127.0.0.1:" + api + "/v1/status/leader").statusCode(), "the API answers another client");
                assertEquals(200, get("http://127.0.0.1:" + registry + "/subjects").statusCode(), "the registry answers");
                HttpResponse<String> registered = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api
                        + "/v1/agent/service/register")).PUT(HttpRequest.BodyPublishers.ofString("{\"ID\":\"flood-1\",\"Name\":\"flood\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, registered.statusCode(), "writes go through Kafka and the folds as usual: " + registered.body());

                // A flooding client that asks something is told why it is refused (while more than 256 of its refused
                // connections still wait out their second, a new one is closed unanswered: ask again once they are gone).
                Raw refused = floodersRequest(api);
                for (int attempt = 0; refused.status() == 0 && attempt < 20; attempt++) {
                    Thread.sleep(500);
                    refused = floodersRequest(api);
                }
                assertEquals(503, refused.status(), refused.body());
                assertTrue(refused.body().contains("too many connections"), refused.body());
            } finally {
                floods.forEach(Process::destroyForcibly);
            }
            assertTrue(up.process.isAlive(), "and after the flood");
            assertEquals(200, get("http://127.0.0.1:" + api + "/v1/health/service/flood").statusCode());
            assertTrue(up.terminate(60), "it stops cleanly");
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** One more request from a flooding address, over a raw socket bound to it (the JDK client cannot pick its address). */
    private static Raw floodersRequest(int port) throws Exception {
        try (java.net.Socket s = new java.net.Socket()) {
            s.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /v1/status/leader HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            String text = new String(s.getInputStream().readAllBytes());
            if (text.length() < 12) {
                return new Raw(0, "closed unanswered: " + text);
            }
            int status = Integer.parseInt(text.substring(9, 12));
            String body = text.substring(text.indexOf("\r\n\r\n") + 4);
            return new Raw(status, body);
        }
    }

    private record Raw(int status, String body) {
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
