package io.hypermesh.adapters.audit;

import org.apache.avro.specific.SpecificRecord;
import io.hypermesh.events.audit.AuditCheckpoint;
import io.hypermesh.events.audit.AuditContent;
import io.hypermesh.events.audit.AuditEntry;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.audit.AuditRecord;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One adapter's tamper-evident audit trail. Each entry's hash is the RFC 6962 leaf hash of its
 * content bytes as stored, and the same hashes are the leaves of a Merkle tree. Every
 * {@code checkpointEvery} records an Ed25519-signed checkpoint commits to the tree head over all
 * leaves so far and to the last leaf, so removing, reordering or altering any record before it
 * breaks the signature. (Format 1 also chained each record to the one before; the signed tree head
 * already commits to every leaf in order, so format 2 hashes each record once and nothing more.)
 * Not thread-safe: one trail per adapter, appended from one place.
 */
public final class AuditTrail {
    private final String adapterId;
    private final Ed25519PrivateKeyParameters key;
    private final String keyId;
    private final int checkpointEvery;
    private final MessageDigest sha256;
    private final LeafHasher leaves;
    private final MerkleFrontier tree = new MerkleFrontier();
    private long sequence;
    private byte[] lastHash = new byte[32];
    private long sealedAt;
    /** The newest value of each {@link #RESUME_PREFIX} detail among the records adopted from the log. */
    private final Map<String, String> resumeMarks = new java.util.HashMap<>();

    /**
     * Details whose key starts with this are where an adapter stands in its input (a file and an
     * offset, say). Committed in the same transaction as the event the record is for, the newest one
     * on the log says exactly what was published: an adapter started again continues from there.
     */
    public static final String RESUME_PREFIX = "resume:";

    /**
     * The format this trail writes: {@link AuditEntry}, whose hash covers its content bytes as
     * stored. Format 1 ({@link AuditRecord}, fields re-encoded to hash) is still read and verified.
     */
    public static final int FORMAT = 2;

    /** What one append produced: the entry and, when one was due, a checkpoint. */
    public record Appended(AuditEntry record, AuditCheckpoint checkpoint) {
        public List<SpecificRecord> events() {
            List<SpecificRecord> out = new ArrayList<>();
            out.add(record);
            if (checkpoint != null) {
                out.add(checkpoint);
            }
            return out;
        }
    }

    public AuditTrail(String adapterId, Ed25519PrivateKeyParameters key, int checkpointEvery) {
        this.adapterId = adapterId;
        this.key = key;
        this.keyId = keyId(key);
        this.checkpointEvery = checkpointEvery;
        this.sha256 = sha256();
        this.leaves = new LeafHasher(sha256);
    }

    public String keyId() {
        return keyId;
    }

    public org.bouncycastle.crypto.params.Ed25519PublicKeyParameters publicKey() {
        return key.generatePublicKey();
    }

    public static Ed25519PrivateKeyParameters newKey() {
        return new Ed25519PrivateKeyParameters(new SecureRandom());
    }

    /** A short public name of the key: hex of the first 8 bytes of SHA-256 of the public key. */
    public static String keyId(Ed25519PrivateKeyParameters key) {
        return AuditKeys.keyId(key.generatePublicKey());
    }

    public Appended append(String actor, String action, String target, AuditOutcome outcome, Map<String, String> details) {
        sequence++;
        ByteBuffer content = encode(new AuditContent(adapterId, sequence, actor, action, target, outcome, new TreeMap<>(details)));
        byte[] hash = leaves.leaf(content);
        AuditEntry record = new AuditEntry(FORMAT, adapterId, sequence, content, ByteBuffer.wrap(hash));
        lastHash = hash;
        tree.append(sha256, hash);
        AuditCheckpoint checkpoint = sequence % checkpointEvery == 0 ? checkpoint() : null;
        return new Appended(record, checkpoint);
    }

    /**
     * Continues a trail already on the log: takes the next stored record (an {@link AuditEntry} or
     * a format-1 {@link AuditRecord}) as if this trail had appended it, after checking that it links
     * to the one before and hashes to its hash. Appends after it are format 2 either way.
     */
    public void adopt(SpecificRecord stored) {
        AuditVerifier.Stored s = AuditVerifier.Stored.of(stored);
        if (stored instanceof AuditEntry e && e.getFormat() != FORMAT) {
            throw new IllegalStateException("audit trail of " + adapterId + " has a record in format " + e.getFormat()
                    + " at sequence " + s.sequence() + "; this version writes and reads formats 1 and " + FORMAT);
        }
        byte[] hash = leaves.leaf(stored, lastHash);
        if (s.sequence() != sequence + 1 || !java.util.Arrays.equals(hash, bytes(s.hash()))) {
            throw new IllegalStateException("audit trail of " + adapterId + " is broken at sequence " + s.sequence()
                    + " (after " + sequence + "); run `hypermesh audit verify` before appending to it");
        }
        sequence = s.sequence();
        lastHash = hash;
        tree.append(sha256, hash);
        content(stored).orElseThrow().getDetails().forEach((k, v) -> {
            if (k.startsWith(RESUME_PREFIX)) {
                resumeMarks.put(k.substring(RESUME_PREFIX.length()), v);
            }
        });
    }

    /** The newest resume mark of this name on the log when the trail was resumed. */
    public java.util.Optional<String> resumeMark(String name) {
        return java.util.Optional.ofNullable(resumeMarks.get(name));
    }

    /** Where the trail stands, to roll back to when a transaction holding later records aborts. */
    public record Mark(long sequence, byte[] lastHash, MerkleFrontier tree, long sealedAt) {
    }

    public Mark mark() {
        return new Mark(sequence, lastHash.clone(), tree.copy(), sealedAt);
    }

    public void rollback(Mark mark) {
        sequence = mark.sequence();
        lastHash = mark.lastHash().clone();
        tree.restore(mark.tree());
        sealedAt = mark.sealedAt();
    }

    public long sequence() {
        return sequence;
    }

    /** Records appended since the last checkpoint (a quiet trail needs no timed checkpoint). */
    public boolean unsealed() {
        return sequence > sealedAt;
    }

    /** A signed checkpoint now (also used on a timer, so a quiet adapter still commits to what it wrote). */
    public AuditCheckpoint checkpoint() {
        sealedAt = sequence;
        byte[] root = tree.root(sha256);
        byte[] signature = sign(key, signedBytes(adapterId, tree.size(), root, lastHash));
        return new AuditCheckpoint(adapterId, tree.size(), ByteBuffer.wrap(root), ByteBuffer.wrap(lastHash.clone()), "Ed25519", keyId,
                ByteBuffer.wrap(signature));
    }

    /** An entry's content in Avro single-object encoding: these bytes are stored and hashed as they are. */
    static ByteBuffer encode(AuditContent content) {
        try {
            return AuditContent.getEncoder().encode(content);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What an entry says. */
    public static AuditContent decode(AuditEntry entry) {
        return decode(entry.getContent(), "audit entry " + entry.getSequence() + " of " + entry.getAdapterId());
    }

    /** What an entry's content bytes say; {@code which} names the entry in the error if they say nothing. */
    static AuditContent decode(ByteBuffer content, String which) {
        try {
            return AuditContent.getDecoder().decode(content.duplicate());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(which + " has content that is not an AuditContent: " + e.getMessage(), e);
        }
    }

    /** What an audit payload says, in either format; empty for a checkpoint. */
    public static java.util.Optional<AuditContent> content(Object payload) {
        if (payload instanceof AuditEntry e) {
            return java.util.Optional.of(decode(e));
        }
        if (payload instanceof AuditRecord r) {
            return java.util.Optional.of(new AuditContent(r.getAdapterId(), r.getSequence(), r.getActor(), r.getAction(), r.getTarget(),
                    r.getOutcome(), r.getDetails()));
        }
        return java.util.Optional.empty();
    }

    /** The bytes a format-1 record's leaf hashes: length-prefixed fields, details in key order. */
    public static byte[] canonical(String adapterId, long sequence, String actor, String action, String target, AuditOutcome outcome,
                            Map<String, String> details) {
        return new LeafHasher(sha256()).canonical(adapterId, sequence, actor, action, target, outcome, details);
    }

    static byte[] signedBytes(String adapterId, long treeSize, byte[] root, byte[] lastHash) {
        byte[] id = adapterId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + id.length + 8 + root.length + lastHash.length)
                .putInt(id.length).put(id).putLong(treeSize).put(root).put(lastHash).array();
    }

    private static byte[] sign(Ed25519PrivateKeyParameters key, byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** An entry's content bytes, as stored and hashed. */
    public static byte[] contentBytes(AuditEntry entry) {
        return bytes(entry.getContent());
    }

    static byte[] bytes(java.nio.ByteBuffer buffer) {
        java.nio.ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static MessageDigest sha256() {
        return MerkleFrontier.sha256OrFail();
    }
}
