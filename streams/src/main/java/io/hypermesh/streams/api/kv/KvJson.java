package io.hypermesh.streams.api.kv;

import io.hypermesh.state.KvEntry;
import io.hypermesh.state.KvOpError;
import io.hypermesh.state.KvOutcome;
import io.hypermesh.state.KvSession;
import io.hypermesh.state.KvVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Consul's layouts for KV entries (DirEntry), sessions (SessionEntry) and transaction answers (TxnResponse), field for field. */
final class KvJson {
    /** The check every session is tied to unless it says otherwise, as Consul's agent names it. */
    static final String SERF_HEALTH = "serfHealth";

    private KvJson() {
    }

    static JsonObject entry(KvEntry e) {
        JsonObject json = new JsonObject().put("LockIndex", e.getLockIndex()).put("Key", e.getKey()).put("Flags", e.getFlags())
                .put("Value", base64(e.getValue()));
        if (e.getSession() != null && !e.getSession().isEmpty()) {
            json.put("Session", e.getSession());
        }
        return json.put("CreateIndex", e.getCreateIndex()).put("ModifyIndex", e.getModifyIndex());
    }

    static JsonArray entries(List<KvEntry> entries) {
        JsonArray array = new JsonArray();
        entries.forEach(e -> array.add(entry(e)));
        return array;
    }

    static JsonObject session(KvSession s) {
        JsonObject json = new JsonObject().put("ID", s.getId()).put("Name", s.getName()).put("Node", s.getNode())
                .put("LockDelay", s.getLockDelayMs() * 1_000_000L).put("Behavior", s.getBehavior()).put("TTL", s.getTtl());
        List<String> all = new ArrayList<>(s.getNodeChecks());
        all.addAll(s.getServiceChecks());
        // Deprecated in Consul 1.7 and left out when serfHealth is the only check; older clients read it.
        if (!all.isEmpty() && !all.equals(List.of(SERF_HEALTH))) {
            json.put("Checks", new JsonArray(all));
        }
        json.put("NodeChecks", s.getNodeChecks().isEmpty() ? null : new JsonArray(new ArrayList<>(s.getNodeChecks())));
        JsonArray services = null;
        if (!s.getServiceChecks().isEmpty()) {
            services = new JsonArray();
            for (String id : s.getServiceChecks()) {
                services.add(new JsonObject().put("ID", id).put("Namespace", ""));
            }
        }
        return json.put("ServiceChecks", services).put("CreateIndex", s.getCreateIndex()).put("ModifyIndex", s.getModifyIndex());
    }

    static JsonArray sessions(List<KvSession> sessions) {
        JsonArray array = new JsonArray();
        sessions.forEach(s -> array.add(session(s)));
        return array;
    }

    /** Consul's TxnResponse: Results on success (values only for the gets), Errors on a rollback, the other null. */
    static JsonObject txn(KvOutcome outcome) {
        JsonObject json = new JsonObject();
        if (outcome.getOk()) {
            JsonArray results = new JsonArray();
            outcome.getResults().forEach(e -> results.add(new JsonObject().put("KV", entry(e))));
            return json.put("Results", results).put("Errors", null);
        }
        JsonArray errors = new JsonArray();
        for (KvOpError e : outcome.getErrors()) {
            errors.add(new JsonObject().put("OpIndex", e.getOpIndex()).put("What", e.getWhat()));
        }
        return json.put("Results", null).put("Errors", errors);
    }

    /** Ours: one past state of a key. */
    static JsonObject version(KvVersion v) {
        JsonObject json = new JsonObject().put("ModifyIndex", v.getModifyIndex()).put("Verb", v.getVerb()).put("Deleted", v.getDeleted())
                .put("Value", base64(v.getValue())).put("Flags", v.getFlags());
        if (v.getSession() != null) {
            json.put("Session", v.getSession());
        }
        return json.put("By", v.getBy()).put("At", v.getAt().toString());
    }

    /** Null for no value or an empty one, as Go writes a nil slice. */
    static String base64(ByteBuffer value) {
        return value == null || !value.hasRemaining() ? null : Base64.getEncoder().encodeToString(bytes(value));
    }

    static byte[] bytes(ByteBuffer value) {
        if (value == null) {
            return new byte[0];
        }
        ByteBuffer copy = value.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
