package io.hypermesh.coordinator.bench;

import io.hypermesh.schemas.kafka.EmbeddedKafka;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/** A real single-member etcd on loopback (Debian's etcd-server), the baseline for discovery reads. */
final class EtcdServer implements AutoCloseable {
    private final Process process;
    final String url;

    private EtcdServer(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    static EtcdServer start(String binary, Path dataDir) throws Exception {
        if (!Files.isExecutable(Path.of(binary))) {
            throw new IllegalStateException("etcd not found at " + binary + " (install Debian's etcd-server)");
        }
        int client = EmbeddedKafka.freePort();
        int peer = EmbeddedKafka.freePort();
        String url = "http://127.0.0.1:" + client;
        Process p = new ProcessBuilder(binary, "--name", "bench", "--data-dir", dataDir.toString(),
                "--listen-client-urls", url, "--advertise-client-urls", url,
                "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-cluster", "bench=http://127.0.0.1:" + peer)
                .redirectErrorStream(true).redirectOutput(dataDir.resolveSibling("etcd.log").toFile()).start();
        EtcdServer etcd = new EtcdServer(p, url);
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().contains("true")) {
                    return etcd;
                }
            } catch (java.io.IOException notYet) {
                // starting
            }
            Thread.sleep(100);
        }
        etcd.close();
        throw new IllegalStateException("etcd did not become healthy at " + url);
    }

    void put(String key, String value) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v3/kv/put"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + b64(key) + "\",\"value\":\"" + b64(value) + "\"}"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("etcd put failed: " + r.body());
        }
    }

    /** The body of a serializable range read over a key prefix (what "instances of a service" is in etcd). */
    static String prefixRange(String prefix) {
        byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
        end[end.length - 1]++;
        return "{\"key\":\"" + b64(prefix) + "\",\"range_end\":\"" + Base64.getEncoder().encodeToString(end) + "\",\"serializable\":true}";
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
