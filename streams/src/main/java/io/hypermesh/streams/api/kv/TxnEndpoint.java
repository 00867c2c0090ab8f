package io.hypermesh.streams.api.kv;

import io.hypermesh.events.kv.KvOp;
import io.hypermesh.events.kv.KvTxnRequested;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.Callers;
import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.Routes;
import io.hypermesh.streams.api.consul.ConsulRequests;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Consul's {@code PUT /v1/txn} (agent/txn_endpoint.go) for KV operations: up to 64, applied whole
 * or not at all by the KV fold; 200 with {@code Results}, or 409 with {@code Errors} naming each
 * failed operation. A transaction of reads only goes through the log too: there is no stale path.
 */
final class TxnEndpoint {
    static final int MAX_OPS = 64;
    /** Consul's txn_max_req_len default (the suggested Raft entry size). */
    static final int MAX_REQUEST_BYTES = 512 * 1024;

    private final KvWrites writes;

    TxnEndpoint(KvWrites writes) {
        this.writes = writes;
    }

    void mount(Routes routes) {
        routes.put("/v1/txn").handler(this::txn);
    }

    private void txn(RoutingContext ctx) {
        Buffer raw = ctx.body() == null || ctx.body().buffer() == null ? Buffer.buffer() : ctx.body().buffer();
        if (raw.length() > MAX_REQUEST_BYTES) {
            throw new ApiException(413, "Request body too large, max size: " + MAX_REQUEST_BYTES + " bytes");
        }
        JsonArray body;
        try {
            Object parsed = raw.length() == 0 ? null : Json.decodeValue(raw);
            if (!(parsed instanceof JsonArray a)) {
                throw ApiException.badRequest("Failed to parse body: the body must be a JSON array of operations");
            }
            body = a;
        } catch (DecodeException e) {
            throw ApiException.badRequest("Failed to parse body: " + e.getMessage());
        }
        if (body.size() > MAX_OPS) {
            throw new ApiException(413, "Transaction contains too many operations (" + body.size() + " > " + MAX_OPS + ")");
        }
        if (body.isEmpty()) {
            // Consul applies an empty transaction and answers with no results.
            Responses.json(ctx, 200, new JsonObject().put("Results", new JsonArray()).put("Errors", null));
            return;
        }
        List<KvOp> ops = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            ops.add(op(body.getValue(i), i));
        }
        writes.request(ctx, ops.get(0).getKey(), new KvTxnRequested(ops, Callers.who(ctx))).onSuccess(outcome ->
                Responses.json(ctx, outcome.getOk() ? 200 : 409, KvJson.txn(outcome))).onFailure(ctx::fail);
    }

    private static KvOp op(Object raw, int i) {
        if (!(raw instanceof JsonObject o) || o.size() != 1) {
            throw ApiException.badRequest("Failed to parse body: operation " + i
                    + " must be an object with one of KV, Node, Service, Check");
        }
        Map.Entry<String, Object> only = o.iterator().next();
        if (!only.getKey().equalsIgnoreCase("KV")) {
            throw ApiException.badRequest("operation " + i + " is a " + only.getKey() + " operation: the bus's transactions take KV"
                    + " operations only");
        }
        if (!(only.getValue() instanceof JsonObject kv)) {
            throw ApiException.badRequest("Failed to parse body: operation " + i + ": KV must be an object");
        }
        ConsulRequests.Fields f = new ConsulRequests.Fields(kv, "[" + i + "].KV.");
        String verb = f.string("Verb", "");
        String key = f.string("Key", "");
        if (key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > KvEndpoints.MAX_KEY_BYTES || key.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest("operation " + i + ": the key is longer than " + KvEndpoints.MAX_KEY_BYTES
                    + " bytes or holds a NUL");
        }
        byte[] value = null;
        String encoded = f.string("Value", null);
        if (encoded != null) {
            try {
                value = Base64.getDecoder().decode(encoded);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("Failed to parse body: failed to decode value: " + e.getMessage());
            }
        }
        if (value != null && value.length > KvEndpoints.MAX_VALUE_BYTES) {
            throw new ApiException(413, "Value for key \"" + key + "\" is too large (" + value.length + " > " + KvEndpoints.MAX_VALUE_BYTES
                    + " bytes)");
        }
        String session = f.string("Session", "");
        return new KvOp(verb, key, value == null ? null : ByteBuffer.wrap(value), unsigned(kv, "Flags"), unsigned(kv, "Index"),
                session.isEmpty() ? null : session);
    }

    private static long unsigned(JsonObject kv, String field) {
        for (String name : kv.fieldNames()) {
            if (name.equalsIgnoreCase(field)) {
                Object v = kv.getValue(name);
                if (v == null) {
                    return 0;
                }
                if (!(v instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() != Math.floor(n.doubleValue())) {
                    throw ApiException.badRequest("Failed to parse body: " + field + " must be an unsigned integer, was " + v);
                }
                return n instanceof java.math.BigInteger big ? big.longValue() : n.longValue();
            }
        }
        return 0;
    }
}
