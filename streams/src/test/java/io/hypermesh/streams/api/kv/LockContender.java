package io.hypermesh.streams.api.kv;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A service contending for leadership the way Consul's docs teach it, in a process of its own: a
 * TTL session with a lock-delay, an acquire every 500 ms, a renewal every 3 s. Prints "HOLD" the
 * first time it holds the lock; dies with its process, session and all.
 * Arguments: base URL, lock key, name.
 */
public final class LockContender {
    private LockContender() {
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String key = args[1];
        String name = args[2];
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String created = send(http, base + "/v1/session/create", "{\"Name\":\"" + name + "\",\"TTL\":\"10s\",\"LockDelay\":\"3s\"}");
        String session = created.replaceAll(".*\"ID\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        System.out.println("SESSION " + session);
        boolean holding = false;
        long renewed = System.nanoTime();
        while (true) {
            if (!holding && send(http, base + "/v1/kv/" + key + "?acquire=" + session, name).trim().equals("true")) {
                holding = true;
                System.out.println("HOLD " + name);
            }
            if (System.nanoTime() - renewed > Duration.ofSeconds(3).toNanos()) {
                send(http, base + "/v1/session/renew/" + session, "");
                renewed = System.nanoTime();
            }
            Thread.sleep(500);
        }
    }

    private static String send(HttpClient http, String url, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? r.body() : "";
    }
}
