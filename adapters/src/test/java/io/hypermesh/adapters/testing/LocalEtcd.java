package io.hypermesh.adapters.testing;

import io.hypermesh.http.FreePorts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd cluster of one or more members on loopback (Debian's etcd-server), each member its
 * own process with its own data folder: the baseline of the benchmarks and the cluster the
 * consensus adapter is tested against. Members can be killed to force an election.
 */
public final class LocalEtcd implements AutoCloseable {
    public static final String DEFAULT_BINARY = "/usr/bin/etcd";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One member: its name, client URL and process. */
    public record Member(String name, String clientUrl, Process process) {
    }

    private final List<Member> members;

    private LocalEtcd(List<Member> members) {
        this.members = members;
    }

    /** Starts {@code size} members that form one cluster and waits until every member is healthy. */
    public static LocalEtcd start(String binary, Path dir, int size) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(binary))) {
            throw new IllegalStateException("etcd not found at " + binary + " (install Debian's etcd-server)");
        }
        List<String> names = new ArrayList<>();
        List<Integer> clientPorts = new ArrayList<>();
        List<Integer> peerPorts = new ArrayList<>();
        StringBuilder initial = new StringBuilder();
        for (int i = 0; i < size; i++) {
            names.add("etcd-" + i);
            clientPorts.add(FreePorts.onLoopback());
            peerPorts.add(FreePorts.onLoopback());
            initial.append(i == 0 ? "" : ",").append(names.get(i)).append("=http://127.0.0.1:").append(peerPorts.get(i));
        }
        List<Member> members = new ArrayList<>();
        LocalEtcd cluster = new LocalEtcd(members);
        try {
            for (int i = 0; i < size; i++) {
                String url = "http://127.0.0.1:" + clientPorts.get(i);
                String peer = "http://127.0.0.1:" + peerPorts.get(i);
                Path data = Files.createDirectories(dir).resolve(names.get(i));
                Process p = new ProcessBuilder(binary, "--name", names.get(i), "--data-dir", data.toString(),
                        "--listen-client-urls", url, "--advertise-client-urls", url,
                        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                        "--initial-cluster", initial.toString(), "--initial-cluster-state", "new",
                        "--initial-cluster-token", "hypermesh-" + dir.getFileName(),
                        "--heartbeat-interval", "100", "--election-timeout", "1000")
                        .redirectErrorStream(true).redirectOutput(dir.resolve(names.get(i) + ".log").toFile()).start();
                members.add(new Member(names.get(i), url, p));
            }
            for (Member m : members) {
                awaitHealthy(m.clientUrl(), Duration.ofSeconds(30));
            }
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    public List<String> clientUrls() {
        return members.stream().map(Member::clientUrl).toList();
    }

    /** The member the others follow, asked of the first member that answers. */
    public Member leader() throws IOException, InterruptedException {
        for (Member m : members) {
            if (!m.process().isAlive()) {
                continue;
            }
            String body = post(m.clientUrl() + "/v3/maintenance/status", "{}");
            String leader = field(body, "leader");
            for (Member candidate : members) {
                if (candidate.process().isAlive()
                        && leader.equals(field(post(candidate.clientUrl() + "/v3/maintenance/status", "{}"), "member_id"))) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("no member knows a leader");
    }

    /** SIGKILL: no goodbye to its peers, as in a crash. */
    public void kill(Member member) throws InterruptedException {
        member.process().destroyForcibly();
        member.process().waitFor(10, TimeUnit.SECONDS);
    }

    public void put(String key, String value) throws IOException, InterruptedException {
        post(members.get(0).clientUrl() + "/v3/kv/put", "{\"key\":\"" + b64(key) + "\",\"value\":\"" + b64(value) + "\"}");
    }

    /** The body of a serializable range read over a key prefix (what "instances of a service" is in etcd). */
    public static String prefixRange(String prefix) {
        byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
        end[end.length - 1]++;
        return "{\"key\":\"" + b64(prefix) + "\",\"range_end\":\"" + Base64.getEncoder().encodeToString(end) + "\",\"serializable\":true}";
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String post(String url, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** A string field of etcd's JSON, wherever it is (ids are decimal strings there). */
    private static String field(String json, String name) {
        int at = json.indexOf("\"" + name + "\":\"");
        if (at < 0) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        int from = at + name.length() + 4;
        return json.substring(from, json.indexOf('"', from));
    }

    private static void awaitHealthy(String url, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url + "/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString()).body().contains("true")) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("etcd did not become healthy at " + url);
    }

    @Override
    public void close() {
        for (Member m : members) {
            m.process().destroy();
        }
        for (Member m : members) {
            try {
                if (!m.process().waitFor(10, TimeUnit.SECONDS)) {
                    m.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                m.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
