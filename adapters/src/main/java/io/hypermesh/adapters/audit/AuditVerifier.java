package io.hypermesh.adapters.audit;

import io.hypermesh.events.audit.AuditCheckpoint;
import io.hypermesh.events.audit.AuditEntry;
import io.hypermesh.events.audit.AuditRecord;
import org.apache.avro.specific.SpecificRecord;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Replays one adapter's trail in log order, in audit format 1 or 2 or both (a trail written before an
 * upgrade continues in format 2), and names the first break: a format it does not know, a gap or reorder in the
 * sequence, a record whose own hash (or, in format 1, previous hash) does not match, a checkpoint whose tree head,
 * chain hash or signature does not match what was replayed.
 */
public final class AuditVerifier {
    private final Map<String, Ed25519PublicKeyParameters> keys;
    private final MessageDigest sha256 = AuditTrail.sha256();
    private final LeafHasher leaves = new LeafHasher(sha256);
    private final MerkleFrontier tree = new MerkleFrontier();
    private final ContentPrefix prefix = new ContentPrefix();
    private long sequence;
    private byte[] lastHash = new byte[32];
    private long checkpoints;

    /** @param keys trusted public keys by key id */
    public AuditVerifier(Map<String, Ed25519PublicKeyParameters> keys) {
        this.keys = keys;
    }

    private static final ThreadLocal<LeafHasher> HASHERS = ThreadLocal.withInitial(() -> new LeafHasher(AuditTrail.sha256()));

    /** What every stored record has, in either format; only format 1 stores the previous hash (else null). */
    record Stored(String adapterId, long sequence, ByteBuffer previousHash, ByteBuffer hash) {
        static Stored of(SpecificRecord r) {
            if (r instanceof AuditEntry e) {
                return new Stored(e.getAdapterId(), e.getSequence(), null, e.getHash());
            }
            AuditRecord a = (AuditRecord) r;
            return new Stored(a.getAdapterId(), a.getSequence(), a.getPreviousHash(), a.getHash());
        }
    }

    /**
     * The leaf hash of a record: an {@link AuditEntry}'s over its content, a format-1 {@link AuditRecord}'s
     * over its fields and the previous hash it stores, which {@link #record(SpecificRecord, byte[])}
     * then compares with the chain as replayed. A leaf needs nothing else from the records before,
     * so leaves can be hashed ahead, on another thread.
     */
    public static byte[] leaf(SpecificRecord r) {
        return HASHERS.get().leaf(r);
    }

    /** {@link #leaf} of each record; on more than two cores, on all of them. */
    public static byte[][] leaves(java.util.List<? extends SpecificRecord> records) {
        byte[][] out = new byte[records.size()][];
        var indexes = java.util.stream.IntStream.range(0, records.size());
        (PARALLEL_LEAVES ? indexes.parallel() : indexes).forEach(i -> out[i] = leaf(records.get(i)));
        return out;
    }

    /** With two cores, one hashes leaves while the other checks (see {@link OneAhead}): no room for more. */
    private static final boolean PARALLEL_LEAVES = Runtime.getRuntime().availableProcessors() > 2;

    /** Checks the next record (either format); a present value says what is broken. */
    public Optional<String> record(SpecificRecord r) {
        return record(r, null);
    }

    /** As {@link #record(SpecificRecord)}, with its leaf hash computed beforehand by {@link #leaves}. */
    public Optional<String> record(SpecificRecord r, byte[] leaf) {
        Stored s = Stored.of(r);
        if (r instanceof AuditEntry e && e.getFormat() != AuditTrail.FORMAT) {
            return Optional.of("record " + s.sequence() + " is in audit format " + e.getFormat()
                    + ", which this version cannot verify (it knows formats 1 and " + AuditTrail.FORMAT + ")");
        }
        if (s.sequence() != sequence + 1) {
            return Optional.of(s.sequence() > sequence + 1
                    ? "gap: sequence " + s.sequence() + " follows " + sequence + " (records " + (sequence + 1) + ".."
                            + (s.sequence() - 1) + " missing)"
                    : "reorder or replay: sequence " + s.sequence() + " after " + sequence);
        }
        if (s.previousHash() != null && !same(s.previousHash(), lastHash)) {
            return Optional.of("chain broken at sequence " + s.sequence() + ": previous hash does not match the record before");
        }
        // A format-1 record's stored previous hash equals lastHash here, so a leaf hashed over it is the chain's leaf.
        byte[] hash = leaf != null ? leaf : leaves.leaf(r, lastHash);
        if (!same(s.hash(), hash)) {
            return Optional.of("record " + s.sequence() + " was altered: its content does not hash to its hash");
        }
        if (r instanceof AuditEntry e && !prefix.names(e.getContent(), s.adapterId(), s.sequence())) {
            return Optional.of("record " + s.sequence() + " was altered: its adapter or sequence is not the one its content names");
        }
        sequence = s.sequence();
        lastHash = hash;
        tree.append(sha256, hash);
        return Optional.empty();
    }

    private static boolean same(ByteBuffer stored, byte[] hash) {
        if (stored.remaining() != hash.length) {
            return false;
        }
        if (stored.hasArray()) { // as decoded: compared in place, vectorised
            int from = stored.arrayOffset() + stored.position();
            return Arrays.equals(stored.array(), from, from + hash.length, hash, 0, hash.length);
        }
        return stored.equals(ByteBuffer.wrap(hash));
    }

    /** Checks a checkpoint against what has been replayed so far. */
    public Optional<String> checkpoint(AuditCheckpoint c) {
        if (c.getTreeSize() != tree.size()) {
            return Optional.of("checkpoint for " + c.getTreeSize() + " records after " + tree.size()
                    + " were replayed (truncation or reorder)");
        }
        byte[] root = tree.root(sha256);
        if (!Arrays.equals(root, AuditTrail.bytes(c.getRootHash())) || !Arrays.equals(lastHash, AuditTrail.bytes(c.getLastHash()))) {
            return Optional.of("checkpoint at " + c.getTreeSize() + " does not match the replayed records");
        }
        Ed25519PublicKeyParameters key = keys.get(c.getKeyId());
        if (key == null) {
            return Optional.of("checkpoint at " + c.getTreeSize() + " is signed with unknown key " + c.getKeyId());
        }
        byte[] message = AuditTrail.signedBytes(c.getAdapterId(), c.getTreeSize(), root, lastHash);
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, key);
        verifier.update(message, 0, message.length);
        if (!verifier.verifySignature(AuditTrail.bytes(c.getSignature()))) {
            return Optional.of("checkpoint at " + c.getTreeSize() + " has a bad signature");
        }
        checkpoints++;
        return Optional.empty();
    }

    public long verifiedRecords() {
        return sequence;
    }

    public long verifiedCheckpoints() {
        return checkpoints;
    }
}
