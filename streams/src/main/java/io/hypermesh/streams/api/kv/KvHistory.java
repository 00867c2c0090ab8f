package io.hypermesh.streams.api.kv;

import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.Routes;
import io.hypermesh.streams.kv.KvTopology;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Ours, which Consul cannot give: {@code GET /v1/hypermesh/kv/<key>/history}, a key's past values
 * with who changed each and when, oldest first, blocking on the key's index like a read of the key.
 * The fold keeps the last versions of each key (the bound is in the answer); every older one is in
 * {@code hypermesh.kv}, which is kept forever.
 */
final class KvHistory {
    static final String PREFIX = Responses.HYPERMESH_PREFIX + "/kv/";
    private static final String SUFFIX = "/history";

    private final KvReads reads;
    private final int kept;

    KvHistory(KvReads reads, int kept) {
        this.reads = reads;
        this.kept = kept;
    }

    void mount(Routes routes) {
        routes.get(PREFIX + "*").handler(ctx -> {
            String path = KvPaths.key(ctx, PREFIX);
            if (!path.endsWith(SUFFIX) || path.length() == SUFFIX.length()) {
                throw ApiException.notFound("no endpoint GET " + ctx.request().path() + ": ask " + PREFIX + "<key>" + SUFFIX);
            }
            String key = path.substring(0, path.length() - SUFFIX.length());
            reads.serve(ctx, List.of(KvTopology.keyScope(key)), () -> reads.history(key), KvReads.HistoryView::index, view -> {
                JsonArray list = new JsonArray();
                view.versions().forEach(v -> list.add(KvJson.version(v)));
                JsonObject body = new JsonObject().put("Key", key).put("Versions", list).put("VersionsKept", kept)
                        .put("Log", "hypermesh.kv");
                return new KvReads.Answer(200, Buffer.buffer(body.encode()), "application/json", view.index());
            });
        });
    }
}
