package io.hypermesh.streams.api.kv;

import io.hypermesh.state.KvVersion;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.Routes;
import io.hypermesh.streams.api.stores.FoldStores;
import io.hypermesh.streams.kv.KvTopology;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Ours, which Consul cannot give: {@code GET /v1/hypermesh/kv/<key>/history}, a key's past values
 * with who changed each and when, oldest first. The fold keeps the last versions of each key (the
 * bound is in the answer); every older one is in {@code hypermesh.kv}, which is kept forever.
 */
final class KvHistory {
    static final String PREFIX = Responses.HYPERMESH_PREFIX + "/kv/";
    private static final String SUFFIX = "/history";

    private final FoldStores stores;
    private final int kept;

    KvHistory(FoldStores stores, int kept) {
        this.stores = stores;
        this.kept = kept;
    }

    void mount(Routes routes) {
        routes.get(PREFIX + "*").handler(ctx -> {
            String path = KvPaths.key(ctx, PREFIX);
            if (!path.endsWith(SUFFIX) || path.length() == SUFFIX.length()) {
                throw ApiException.notFound("no endpoint GET " + ctx.request().path() + ": ask " + PREFIX + "<key>" + SUFFIX);
            }
            String key = path.substring(0, path.length() - SUFFIX.length());
            stores.<KvVersion>scan(KvTopology.HISTORY, KvTopology.historyPrefix(key)).onSuccess(versions -> {
                JsonArray list = new JsonArray();
                versions.forEach(v -> list.add(KvJson.version(v)));
                Responses.json(ctx, 200, new JsonObject().put("Key", key).put("Versions", list).put("VersionsKept", kept)
                        .put("Log", "hypermesh.kv"));
            }).onFailure(ctx::fail);
        });
    }
}
