package io.hypermesh.streams.api.stores;

import io.hypermesh.http.HttpTls;
import io.hypermesh.streams.ChangeSignal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.apache.kafka.streams.state.HostInfo;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The asking side of the peer protocol, the peer room's PeerProtocol being the answering one: one method
 * per request another instance of the folds serves. Values travel encoded (see
 * {@link StoreAccess#encode}); a peer that cannot answer fails the request with a
 * {@link StoreNotReadyException}, which callers retry.
 */
public final class PeerClient {
    /** Reads of the parts of stores a peer owns: {@code <store>/keys/<key>}, {@code <store>/keys} (POST, many), {@code <store>/scan}. */
    public static final String STORES = "/internal/v1/stores/";
    /** {@code <partition>/<offset>}: answers once the registry fold applied that offset (read-your-write). */
    public static final String APPLIED = "/internal/v1/applied/";
    /** This instance's Consul node name. */
    public static final String SELF = "/internal/v1/self";
    /**
     * {@code ?after=<end>&waitMs=<ms>}: the scopes of the changes this instance applied after
     * {@code end} (ChangeSignal.since), answered as soon as there is one or when the wait is
     * over (long-polling, as PeerChanges follows each peer).
     */
    public static final String CHANGES = "/internal/v1/changes";

    private final WebClient client;

    /** @param tls how to reach peers: with their certificate checked and this instance's shown */
    PeerClient(Vertx vertx, HttpTls tls) {
        this.client = WebClient.create(vertx, tls.client(new WebClientOptions()));
    }

    /** The encoded value of {@code key} in {@code partition}, which the peer owns; null when absent. */
    Future<String> value(HostInfo peer, String store, String key, int partition) {
        String uri = STORES + store + "/keys/" + encode(key) + "?partition=" + partition;
        return answer(peer, store + "/" + key, client.get(peer.port(), peer.host(), uri).send(),
                r -> r.bodyAsJsonObject().getString("value"));
    }

    /** The encoded values of keys (each with its partition) the peer owns; absent keys are left out. */
    Future<Map<String, String>> values(HostInfo peer, String store, Map<String, Integer> partitionByKey) {
        JsonObject body = new JsonObject();
        partitionByKey.forEach(body::put);
        return answer(peer, partitionByKey.size() + " keys of " + store,
                client.post(peer.port(), peer.host(), STORES + store + "/keys").sendJsonObject(body), r -> {
                    Map<String, String> values = new HashMap<>();
                    r.bodyAsJsonObject().forEach(e -> values.put(e.getKey(), (String) e.getValue()));
                    return values;
                });
    }

    /** The peer's part of a store (only keys starting with {@code prefix}, unless null), encoded, in key order. */
    Future<TreeMap<String, String>> scan(HostInfo peer, String store, String prefix) {
        String uri = STORES + store + "/scan" + (prefix == null ? "" : "?prefix=" + encode(prefix));
        return answer(peer, "a scan of " + store, client.get(peer.port(), peer.host(), uri).send(), r -> {
            TreeMap<String, String> entries = new TreeMap<>();
            JsonArray rows = r.bodyAsJsonArray();
            for (int i = 0; i < rows.size(); i++) {
                JsonObject row = rows.getJsonObject(i);
                entries.put(row.getString("key"), row.getString("value"));
            }
            return entries;
        });
    }

    /** Completes once the peer's registry fold applied {@code offset} of {@code partition}, waiting there at most {@code waitMs}. */
    public Future<Void> applied(HostInfo peer, int partition, long offset, long waitMs) {
        String uri = APPLIED + partition + "/" + offset + "?waitMs=" + waitMs;
        return answer(peer, "offset " + offset + " of partition " + partition, client.get(peer.port(), peer.host(), uri).send(), r -> null);
    }

    /** The scopes of the changes the peer applied after {@code after}, waiting there up to {@code waitMs} for one. */
    public Future<ChangeSignal.Since> changes(HostInfo peer, long after, long waitMs) {
        String uri = CHANGES + "?after=" + after + "&waitMs=" + waitMs;
        return answer(peer, "its changes", client.get(peer.port(), peer.host(), uri).timeout(waitMs + 10_000).send(), r -> {
            JsonObject body = r.bodyAsJsonObject();
            return new ChangeSignal.Since(body.getLong("end"), body.getJsonArray("scopes").stream().map(String::valueOf).toList(),
                    body.getBoolean("all"));
        });
    }

    /** The peer's Consul node name. */
    public Future<String> node(HostInfo peer) {
        return answer(peer, "its node name", client.get(peer.port(), peer.host(), SELF).send(),
                r -> r.bodyAsJsonObject().getString("Node"));
    }

    private static <T> Future<T> answer(HostInfo peer, String what, Future<HttpResponse<Buffer>> sent, Function<HttpResponse<Buffer>,
            T> read) {
        return sent.compose(response -> response.statusCode() == 200 ? Future.succeededFuture(read.apply(response))
                        : Future.failedFuture(new StoreNotReadyException("instance " + peer + " answered " + response.statusCode()
                                + " for " + what)),
                failure -> Future.failedFuture(new StoreNotReadyException("instance " + peer + " unreachable: " + failure.getMessage())));
    }

    private static String encode(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
