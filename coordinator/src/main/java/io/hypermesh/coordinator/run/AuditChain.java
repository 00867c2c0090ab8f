package io.hypermesh.coordinator.run;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.audit.AuditEvent;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.audit.AuditRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** The coordinator's audit records: a SHA-256 chain, each record holding the hash of the one before. */
final class AuditChain {
    private final String actor;
    private long sequence;
    private byte[] previous = new byte[32];

    AuditChain(String actor) {
        this.actor = actor;
    }

    synchronized AuditEvent next(String action, String target, AuditOutcome outcome, Map<String, String> details) {
        Map<String, String> sorted = new TreeMap<>(details);
        sequence++;
        byte[] hash = hash(previous, sequence + "|" + actor + "|" + action + "|" + target + "|" + outcome + "|" + sorted);
        AuditRecord record = new AuditRecord(actor, sequence, actor, action, target, outcome, sorted,
                ByteBuffer.wrap(previous), ByteBuffer.wrap(hash));
        previous = hash;
        return AuditEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                .setSource(new EventSource(actor, ComponentKind.COORDINATOR)).setOccurredAt(Instant.now()).setTraceId(null)
                .setPayload(record).build();
    }

    private static byte[] hash(byte[] previous, String content) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(previous);
            sha.update(content.getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
