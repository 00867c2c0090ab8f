package io.hypermesh.streams.api.kv;

import io.hypermesh.events.kv.KvOp;
import io.hypermesh.events.kv.KvTxnRequested;
import io.hypermesh.state.KvEntry;
import io.hypermesh.state.KvOutcome;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.Callers;
import io.hypermesh.streams.api.Routes;
import io.hypermesh.streams.kv.KvTopology;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;

import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Consul's {@code /v1/kv/<key>} (agent/kvs_endpoint.go): GET with {@code ?recurse}, {@code ?keys},
 * {@code ?separator}, {@code ?raw} and blocking queries; PUT with {@code ?flags}, {@code ?cas},
 * {@code ?acquire}, {@code ?release}; DELETE with {@code ?recurse} and {@code ?cas}. A write is one
 * request to the KV fold, answered with its decision once applied.
 */
final class KvEndpoints {
    /** Consul's kv_max_value_size default. */
    static final int MAX_VALUE_BYTES = 512 * 1024;
    /** Ours: a key is at most this long (Consul bounds it only by its Raft entry). */
    static final int MAX_KEY_BYTES = 2048;
    static final String PREFIX = "/v1/kv/";

    private final KvReads reads;
    private final KvWrites writes;

    KvEndpoints(KvReads reads, KvWrites writes) {
        this.reads = reads;
        this.writes = writes;
    }

    void mount(Routes routes) {
        routes.get(PREFIX + "*").handler(this::get);
        routes.put(PREFIX + "*").handler(this::put);
        routes.delete(PREFIX + "*").handler(this::delete);
    }

    private void get(RoutingContext ctx) {
        String key = KvPaths.key(ctx, PREFIX);
        var params = ctx.request().params();
        if (params.contains("keys")) {
            String separator = params.contains("separator") ? params.get("separator") : params.get("seperator");
            reads.serve(ctx, List.of(KvTopology.SCOPE), () -> reads.tree(key), KvReads.TreeView::index, view -> {
                List<String> keys = keys(view.entries(), key, separator == null ? "" : separator);
                if (keys.isEmpty() && !key.isEmpty()) {
                    return notFound(view.index());
                }
                return json(new JsonArray(keys), view.index());
            });
            return;
        }
        if (params.contains("recurse")) {
            reads.serve(ctx, List.of(KvTopology.SCOPE), () -> reads.tree(key), KvReads.TreeView::index, view ->
                    view.entries().isEmpty() ? notFound(view.index()) : json(KvJson.entries(view.entries()), view.index()));
            return;
        }
        if (key.isEmpty()) {
            throw ApiException.badRequest("Missing key name");
        }
        boolean raw = params.contains("raw");
        if (raw) {
            // A value is anything: never let a browser sniff or run it (as Consul does).
            ctx.response().putHeader("X-Content-Type-Options", "nosniff").putHeader("Content-Security-Policy", "sandbox");
        }
        reads.serve(ctx, List.of(KvTopology.keyScope(key)), () -> reads.key(key), KvReads.KeyView::index, view -> {
            if (view.entry().isEmpty()) {
                return notFound(view.index());
            }
            if (raw) {
                return new KvReads.Answer(200, Buffer.buffer(KvJson.bytes(view.entry().get().getValue())), "text/plain", view.index());
            }
            return json(KvJson.entries(List.of(view.entry().get())), view.index());
        });
    }

    private void put(RoutingContext ctx) {
        String key = KvPaths.key(ctx, PREFIX);
        if (key.isEmpty()) {
            throw ApiException.badRequest("Missing key name");
        }
        KvPaths.refuseConflicting(ctx, "cas", "acquire", "release");
        var params = ctx.request().params();
        long flags = params.contains("flags") ? KvPaths.unsigned(params.get("flags")) : 0;
        String verb = "set";
        long cas = 0;
        String session = null;
        if (params.contains("cas")) {
            cas = KvPaths.unsigned(params.get("cas"));
            verb = "cas";
        }
        if (params.contains("acquire")) {
            session = params.get("acquire");
            verb = "lock";
        }
        if (params.contains("release")) {
            session = params.get("release");
            verb = "unlock";
        }
        Buffer body = ctx.body() == null || ctx.body().buffer() == null ? Buffer.buffer() : ctx.body().buffer();
        String length = ctx.request().getHeader("Content-Length");
        long declared = length == null ? body.length() : Math.max(body.length(), KvPaths.unsigned(length));
        if (declared > MAX_VALUE_BYTES) {
            throw new ApiException(413, "Request body(" + declared + " bytes) too large, max size: " + MAX_VALUE_BYTES + " bytes. See "
                    + "https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.");
        }
        KvOp op = new KvOp(verb, key, body.length() == 0 ? null : ByteBuffer.wrap(body.getBytes()), flags, cas, session);
        boolean answersTrue = verb.equals("set");
        write(ctx, op, answersTrue);
    }

    private void delete(RoutingContext ctx) {
        String key = KvPaths.key(ctx, PREFIX);
        KvPaths.refuseConflicting(ctx, "recurse", "cas");
        var params = ctx.request().params();
        String verb = "delete";
        long cas = 0;
        if (params.contains("recurse")) {
            verb = "delete-tree";
        } else if (key.isEmpty()) {
            throw ApiException.badRequest("Missing key name");
        }
        if (params.contains("cas")) {
            cas = KvPaths.unsigned(params.get("cas"));
            verb = "delete-cas";
        }
        write(ctx, new KvOp(verb, key, null, 0L, cas, null), !verb.equals("delete-cas"));
    }

    /** One operation to the fold; {@code true}, or (for a conditional one) whether it took effect, as Consul answers. */
    private void write(RoutingContext ctx, KvOp op, boolean alwaysTrue) {
        writes.request(ctx, op.getKey(), new KvTxnRequested(List.of(op), Callers.who(ctx))).onSuccess(outcome -> {
            String refusal = refusal(outcome);
            if (refusal != null) {
                ctx.fail(ApiException.badRequest(refusal));
                return;
            }
            ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(alwaysTrue || outcome.getOk()
                    ? "true" : "false");
        }).onFailure(ctx::fail);
    }

    /** A failure Consul reports as an error rather than {@code false}: a missing or unknown session, a full store. */
    private static String refusal(KvOutcome outcome) {
        if (outcome.getOk()) {
            return null;
        }
        String what = outcome.getErrors().get(0).getWhat();
        boolean conditionFailed = what.endsWith("index is stale") || what.endsWith("lock is already held")
                || what.endsWith("due to lock-delay") || what.endsWith("or is held by another session");
        return conditionFailed ? null : what;
    }

    /** Keys under the prefix, each cut after the first separator past it (so a folder shows once), as Consul's ListKeys. */
    static List<String> keys(List<KvEntry> entries, String prefix, String separator) {
        Set<String> keys = new LinkedHashSet<>();
        for (KvEntry e : entries) {
            String key = e.getKey();
            if (!separator.isEmpty()) {
                int at = key.indexOf(separator, prefix.length());
                if (at >= 0) {
                    key = key.substring(0, at + separator.length());
                }
            }
            keys.add(key);
        }
        return List.copyOf(keys);
    }

    private static KvReads.Answer notFound(long index) {
        return new KvReads.Answer(404, Buffer.buffer(), null, index);
    }

    private static KvReads.Answer json(Object body, long index) {
        return new KvReads.Answer(200, Buffer.buffer(String.valueOf(body)), "application/json", index);
    }
}
