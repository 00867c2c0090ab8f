package io.hypermesh.adapters.audit;

import io.hypermesh.events.audit.AuditCheckpoint;
import io.hypermesh.events.audit.AuditRecord;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Replays one adapter's trail in log order and names the first break: a gap or reorder in the
 * sequence, a record whose previous hash or own hash does not match, a checkpoint whose tree head,
 * chain hash or signature does not match what was replayed.
 */
public final class AuditVerifier {
    private final Map<String, Ed25519PublicKeyParameters> keys;
    private final MessageDigest sha256 = AuditTrail.sha256();
    private final LeafHasher leaves = new LeafHasher(sha256);
    private final MerkleFrontier tree = new MerkleFrontier();
    private long sequence;
    private byte[] lastHash = new byte[32];
    private long checkpoints;

    /** @param keys trusted public keys by key id */
    public AuditVerifier(Map<String, Ed25519PublicKeyParameters> keys) {
        this.keys = keys;
    }

    private static final ThreadLocal<LeafHasher> HASHERS = ThreadLocal.withInitial(() -> new LeafHasher(AuditTrail.sha256()));

    /**
     * The leaf hash of a record over its content and the previous hash it stores: a leaf needs
     * nothing from the record before but that stored hash, which {@link #record(AuditRecord, byte[])}
     * then compares with the chain as replayed. So leaves can be hashed ahead, on another thread.
     */
    public static byte[] leaf(AuditRecord r) {
        return HASHERS.get().leaf(r.getAdapterId(), r.getSequence(), r.getActor(), r.getAction(), r.getTarget(), r.getOutcome(),
                r.getDetails(), AuditTrail.bytes(r.getPreviousHash()));
    }

    /** {@link #leaf} of each record; on more than two cores, on all of them. */
    public static byte[][] leaves(java.util.List<AuditRecord> records) {
        byte[][] out = new byte[records.size()][];
        var indexes = java.util.stream.IntStream.range(0, records.size());
        (PARALLEL_LEAVES ? indexes.parallel() : indexes).forEach(i -> out[i] = leaf(records.get(i)));
        return out;
    }

    /** With two cores, one hashes leaves while the other checks (see {@link OneAhead}): no room for more. */
    private static final boolean PARALLEL_LEAVES = Runtime.getRuntime().availableProcessors() > 2;

    /** Checks the next record; a present value says what is broken. */
    public Optional<String> record(AuditRecord r) {
        return record(r, null);
    }

    /** As {@link #record(AuditRecord)}, with its leaf hash computed beforehand by {@link #leaves}. */
    public Optional<String> record(AuditRecord r, byte[] leaf) {
        if (r.getSequence() != sequence + 1) {
            return Optional.of(r.getSequence() > sequence + 1
                    ? "gap: sequence " + r.getSequence() + " follows " + sequence + " (records " + (sequence + 1) + ".." + (r.getSequence() - 1) + " missing)"
                    : "reorder or replay: sequence " + r.getSequence() + " after " + sequence);
        }
        if (!same(r.getPreviousHash(), lastHash)) {
            return Optional.of("chain broken at sequence " + r.getSequence() + ": previous hash does not match the record before");
        }
        // The stored previous hash equals lastHash here, so a leaf hashed over it is the chain's leaf.
        byte[] hash = leaf != null ? leaf : leaves.leaf(r.getAdapterId(), r.getSequence(), r.getActor(), r.getAction(), r.getTarget(),
                r.getOutcome(), r.getDetails(), lastHash);
        if (!same(r.getHash(), hash)) {
            return Optional.of("record " + r.getSequence() + " was altered: its content does not hash to its hash");
        }
        sequence = r.getSequence();
        lastHash = hash;
        tree.append(sha256, hash);
        return Optional.empty();
    }

    private static boolean same(ByteBuffer stored, byte[] hash) {
        if (stored.remaining() != hash.length) {
            return false;
        }
        int at = stored.position();
        for (int i = 0; i < hash.length; i++) {
            if (stored.get(at + i) != hash[i]) {
                return false;
            }
        }
        return true;
    }

    /** Checks a checkpoint against what has been replayed so far. */
    public Optional<String> checkpoint(AuditCheckpoint c) {
        if (c.getTreeSize() != tree.size()) {
            return Optional.of("checkpoint for " + c.getTreeSize() + " records after " + tree.size() + " were replayed (truncation or reorder)");
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
