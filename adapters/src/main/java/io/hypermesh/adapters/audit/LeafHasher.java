package io.hypermesh.adapters.audit;

import io.hypermesh.events.audit.AuditEntry;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.audit.AuditRecord;
import org.apache.avro.specific.SpecificRecord;

import java.nio.ByteBuffer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;

/**
 * A record's RFC 6962 leaf hash, put together in one reused buffer and hashed in one update (three
 * updates of the same bytes cost the JDK's SHA-256 over twice as much). Format 2: SHA-256(0x00 ||
 * content), the entry's stored bytes copied as they are. Format 1: SHA-256(0x00 || fields || previous
 * hash), the fields re-encoded length-prefixed ({@code <chars>:<value>;}), details in key order.
 * Not thread-safe.
 */
final class LeafHasher {
    private final MessageDigest sha256;
    private byte[] buffer = new byte[256];
    private int length;
    @SuppressWarnings("unchecked")
    private Map.Entry<String, String>[] sorted = new Map.Entry[8];

    LeafHasher(MessageDigest sha256) {
        this.sha256 = sha256;
    }

    /** The leaf of a stored record; a format-1 record's over the previous hash it stores. */
    byte[] leaf(SpecificRecord stored) {
        if (stored instanceof AuditEntry e) {
            return leaf(e.getContent());
        }
        return leaf(stored, AuditTrail.bytes(((AuditRecord) stored).getPreviousHash()));
    }

    /** The leaf of a stored record; a format-1 record's over the given previous hash. */
    byte[] leaf(SpecificRecord stored, byte[] previous) {
        if (stored instanceof AuditEntry e) {
            return leaf(e.getContent());
        }
        AuditRecord r = (AuditRecord) stored;
        return leaf(r.getAdapterId(), r.getSequence(), r.getActor(), r.getAction(), r.getTarget(), r.getOutcome(), r.getDetails(),
                previous);
    }

    /** Format 2: the content bytes as stored. */
    byte[] leaf(ByteBuffer content) {
        int n = content.remaining();
        length = 1;
        buffer[0] = 0; // RFC 6962 leaf prefix
        ensure(n);
        content.get(content.position(), buffer, length, n);
        length += n;
        sha256.reset();
        sha256.update(buffer, 0, length);
        return sha256.digest();
    }

    /** Format 1: the fields re-encoded. */
    byte[] leaf(String adapterId, long sequence, String actor, String action, String target, AuditOutcome outcome,
                Map<String, String> details, byte[] previous) {
        length = 1;
        buffer[0] = 0; // RFC 6962 leaf prefix
        encode(adapterId, sequence, actor, action, target, outcome, details);
        ensure(previous.length);
        System.arraycopy(previous, 0, buffer, length, previous.length);
        length += previous.length;
        sha256.reset();
        sha256.update(buffer, 0, length);
        return sha256.digest();
    }

    byte[] canonical(String adapterId, long sequence, String actor, String action, String target, AuditOutcome outcome,
                     Map<String, String> details) {
        length = 0;
        encode(adapterId, sequence, actor, action, target, outcome, details);
        return Arrays.copyOf(buffer, length);
    }

    /** Appends the canonical content at {@link #length}. */
    private void encode(String adapterId, long sequence, String actor, String action, String target, AuditOutcome outcome,
                        Map<String, String> details) {
        part(adapterId);
        sequencePart(sequence);
        part(actor);
        part(action);
        part(target);
        part(outcome.name());
        int n = details.size();
        if (n == 0) {
            return;
        }
        if (sorted.length < n) {
            sorted = Arrays.copyOf(sorted, Math.max(n, sorted.length * 2));
        }
        int i = 0;
        for (Map.Entry<String, String> e : details.entrySet()) {
            sorted[i++] = e;
        }
        if (n > 1) {
            Arrays.sort(sorted, 0, n, Map.Entry.comparingByKey());
        }
        for (i = 0; i < n; i++) {
            String k = sorted[i].getKey();
            String v = sorted[i].getValue();
            number(k.length());
            put((byte) ':');
            text(k);
            put((byte) '=');
            number(v.length());
            put((byte) ':');
            text(v);
            put((byte) ';');
            sorted[i] = null;
        }
    }

    /** {@code <digits>:<sequence>;} without a string in between. */
    private void sequencePart(long sequence) {
        if (sequence < 0) {
            part(Long.toString(sequence));
            return;
        }
        int digits = 1;
        for (long v = sequence; v >= 10; v /= 10) {
            digits++;
        }
        number(digits);
        put((byte) ':');
        ensure(digits);
        long v = sequence;
        for (int i = length + digits - 1; i >= length; i--) {
            buffer[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        length += digits;
        put((byte) ';');
    }

    private void part(String s) {
        number(s.length());
        put((byte) ':');
        text(s);
        put((byte) ';');
    }

    private void number(int n) {
        if (n < 10) {
            put((byte) ('0' + n));
        } else {
            text(Integer.toString(n));
        }
    }

    /** UTF-8: ASCII byte by byte, anything else through the JDK's encoder. */
    private void text(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                byte[] utf8 = s.substring(i).getBytes(StandardCharsets.UTF_8);
                ensure(utf8.length);
                System.arraycopy(utf8, 0, buffer, length, utf8.length);
                length += utf8.length;
                return;
            }
            buffer[length++] = (byte) c;
        }
    }

    private void put(byte b) {
        ensure(1);
        buffer[length++] = b;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
