package io.hypermesh.http;

import io.vertx.core.http.HttpServerRequest;

import java.util.HashMap;
import java.util.Map;

/**
 * How much of one resource each client holds, so that no client takes more than its share: a
 * client is a remote address. Thread-safe; a share is taken before the work and given back once.
 */
public final class ClientShares {
    private final Map<String, Integer> held = new HashMap<>();

    /** The client a request comes from: its remote address. */
    public static String clientOf(HttpServerRequest request) {
        return request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress();
    }

    /** Takes one for {@code client} if it holds fewer than {@code limit}; false (nothing taken) otherwise. */
    public synchronized boolean take(String client, int limit) {
        int mine = held.getOrDefault(client, 0);
        if (mine >= limit) {
            return false;
        }
        held.put(client, mine + 1);
        return true;
    }

    /** Gives one back. */
    public synchronized void give(String client) {
        held.computeIfPresent(client, (c, n) -> n <= 1 ? null : n - 1);
    }
}
