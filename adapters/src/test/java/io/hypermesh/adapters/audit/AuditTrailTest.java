package io.hypermesh.adapters.audit;

import io.hypermesh.events.audit.AuditCheckpoint;
import io.hypermesh.events.audit.AuditContent;
import io.hypermesh.events.audit.AuditEntry;
import org.apache.avro.specific.SpecificRecord;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.audit.AuditRecord;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditTrailTest {
    static {
        io.hypermesh.schemas.serde.AvroTrust.install(); // the test copies records with builders, as no part of the bus does
    }

    final Ed25519PrivateKeyParameters key = AuditTrail.newKey();

    List<Object> trail(int records) {
        AuditTrail trail = new AuditTrail("etcd-adapter", key, 4);
        List<Object> events = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            events.addAll(trail.append("etcd-adapter", "observe.leader", "member-" + i, AuditOutcome.OBSERVED, Map.of("term", ""
                    + i)).events());
        }
        return events;
    }

    Optional<String> verify(List<Object> events) {
        AuditVerifier v = new AuditVerifier(Map.of(AuditTrail.keyId(key), key.generatePublicKey()));
        for (Object e : events) {
            Optional<String> broken = e instanceof AuditCheckpoint c ? v.checkpoint(c) : v.record((SpecificRecord) e);
            if (broken.isPresent()) {
                return broken;
            }
        }
        return Optional.empty();
    }

    @Test
    void canonicalBytesAreLengthPrefixedFieldsAndDetailsInKeyOrder() {
        byte[] bytes = AuditTrail.canonical("a", 12, "act", "do", "t", AuditOutcome.OBSERVED, Map.of("k", "v", "b", "été"));
        assertEquals("1:a;2:12;3:act;2:do;1:t;8:OBSERVED;1:b=3:été;1:k=1:v;", new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void anUntouchedTrailVerifiesWithItsCheckpoints() {
        List<Object> events = trail(10);
        assertEquals(12, events.size(), "10 records and checkpoints at 4 and 8");
        assertEquals(Optional.empty(), verify(events));
    }

    @Test
    void forgeryDropReorderTruncationAndForeignKeysAreEachNamed() {
        List<Object> forged = trail(10);
        AuditEntry r = (AuditEntry) forged.get(2);
        AuditContent said = AuditTrail.decode(r);
        said.setTarget("someone-else");
        forged.set(2, AuditEntry.newBuilder(r).setContent(AuditTrail.encode(said)).build());
        assertEquals("record 3 was altered: its content does not hash to its hash", verify(forged).orElseThrow());

        List<Object> relabelled = trail(10);
        relabelled.set(2, AuditEntry.newBuilder((AuditEntry) relabelled.get(2)).setAdapterId("other-adapter").build());
        assertEquals("record 3 was altered: its adapter or sequence is not the one its content names", verify(relabelled).orElseThrow());

        List<Object> dropped = trail(10);
        dropped.remove(1);
        assertTrue(verify(dropped).orElseThrow().startsWith("gap: sequence 3 follows 1"));

        List<Object> reordered = trail(10);
        Object second = reordered.remove(1);
        reordered.add(2, second);
        assertTrue(verify(reordered).orElseThrow().startsWith("gap: sequence 3 follows 1"));

        List<Object> truncated = trail(10);
        truncated.remove(3); // record 4, just before the checkpoint at 4
        assertEquals("checkpoint for 4 records after 3 were replayed (truncation or reorder)", verify(truncated).orElseThrow());

        List<Object> badSignature = trail(4);
        AuditCheckpoint c = (AuditCheckpoint) badSignature.get(4);
        byte[] sig = c.getSignature().array().clone();
        sig[0] ^= 1;
        badSignature.set(4, AuditCheckpoint.newBuilder(c).setSignature(ByteBuffer.wrap(sig)).build());
        assertEquals("checkpoint at 4 has a bad signature", verify(badSignature).orElseThrow());
    }

    @Test
    void anEntryHashesItsContentBytesAsStoredOnceAndSaysItsFormat() throws Exception {
        List<Object> events = trail(2);
        AuditEntry first = (AuditEntry) events.get(0);
        AuditEntry second = (AuditEntry) events.get(1);
        assertEquals(2, first.getFormat());
        assertEquals(new AuditContent("etcd-adapter", 1L, "etcd-adapter", "observe.leader", "member-0", AuditOutcome.OBSERVED,
                Map.of("term", "0")),
                AuditTrail.decode(first));
        for (AuditEntry e : List.of(first, second)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((byte) 0);
            sha.update(e.getContent().duplicate());
            assertArrayEquals(sha.digest(), AuditTrail.bytes(e.getHash()), "the RFC 6962 leaf hash SHA-256(0x00 || content as stored)");
        }
    }

    @Test
    void aFormatThisVersionDoesNotKnowIsRefusedByName() {
        List<Object> events = trail(3);
        events.set(1, AuditEntry.newBuilder((AuditEntry) events.get(1)).setFormat(3).build());
        assertEquals("record 2 is in audit format 3, which this version cannot verify (it knows formats 1 and 2)",
                verify(events).orElseThrow());
        AuditTrail resumed = new AuditTrail("etcd-adapter", key, 4);
        resumed.adopt((AuditEntry) events.get(0));
        IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> resumed.adopt((AuditEntry) events.get(1)));
        assertTrue(refused.getMessage().contains("format 3"), refused.getMessage());
    }

    /** A format-1 trail as the version before wrote it: hashes over the length-prefixed fields, computed here. */
    static List<AuditRecord> formatOneTrail(int records) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        List<AuditRecord> out = new ArrayList<>();
        byte[] previous = new byte[32];
        for (int i = 1; i <= records; i++) {
            Map<String, String> details = Map.of("term", "" + i);
            sha.reset();
            sha.update((byte) 0);
            sha.update(AuditTrail.canonical("etcd-adapter", i, "etcd-adapter", "observe.leader", "member-" + i, AuditOutcome.OBSERVED,
                    details));
            sha.update(previous);
            byte[] hash = sha.digest();
            out.add(new AuditRecord("etcd-adapter", (long) i, "etcd-adapter", "observe.leader", "member-" + i, AuditOutcome.OBSERVED,
                    details,
                    ByteBuffer.wrap(previous), ByteBuffer.wrap(hash)));
            previous = hash;
        }
        return out;
    }

    @Test
    void aFormatOneTrailStillVerifiesAndContinuesInFormatTwo() throws Exception {
        List<AuditRecord> old = formatOneTrail(5);
        assertEquals(Optional.empty(), verify(new ArrayList<>(old)));

        List<Object> altered = new ArrayList<>(old);
        altered.set(3, AuditRecord.newBuilder(old.get(3)).setActor("mallory").build());
        assertEquals("record 4 was altered: its content does not hash to its hash", verify(altered).orElseThrow());

        AuditTrail resumed = new AuditTrail("etcd-adapter", key, 4);
        old.forEach(resumed::adopt);
        List<Object> mixed = new ArrayList<>(old);
        for (int i = 0; i < 4; i++) {
            mixed.addAll(resumed.append("etcd-adapter", "observe.leader", "member-x" + i, AuditOutcome.OBSERVED, Map.of()).events());
        }
        assertEquals(6L, ((AuditEntry) mixed.get(5)).getSequence());
        assertTrue(mixed.stream().anyMatch(AuditCheckpoint.class::isInstance), "a checkpoint at 8 signs the mixed trail");
        assertEquals(Optional.empty(), verify(mixed));
    }

    @Test
    void treeHeadsMatchRfc6962() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[][] leaves = new byte[5][];
        MerkleFrontier frontier = new MerkleFrontier();
        for (int i = 0; i < 5; i++) {
            leaves[i] = MerkleFrontier.leafHash(sha, new byte[]{(byte) i});
            frontier.append(sha, leaves[i]);
        }
        // RFC 6962: MTH(5) = H(1 || MTH(0..4) || leaf4), MTH(0..4) = H(1 || H(1||l0||l1) || H(1||l2||l3)).
        byte[] left = MerkleFrontier.node(sha, MerkleFrontier.node(sha, leaves[0], leaves[1]), MerkleFrontier.node(sha, leaves[2],
                leaves[3]));
        assertArrayEquals(MerkleFrontier.node(sha, left, leaves[4]), frontier.root(sha));
    }

    @Test
    void everyTreeHeadUpTo70LeavesMatchesTheRecursiveDefinitionAndCopiesAreIndependent() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        java.util.List<byte[]> leaves = new java.util.ArrayList<>();
        MerkleFrontier frontier = new MerkleFrontier();
        MerkleFrontier at33 = null;
        for (int i = 0; i < 70; i++) {
            leaves.add(MerkleFrontier.leafHash(sha, new byte[]{(byte) i, (byte) (i >> 8)}));
            frontier.append(sha, leaves.get(i));
            assertArrayEquals(mth(sha, leaves), frontier.root(sha), "tree head of " + (i + 1) + " leaves");
            if (i == 32) {
                at33 = frontier.copy();
            }
        }
        assertEquals(33, at33.size());
        assertArrayEquals(mth(sha, leaves.subList(0, 33)), at33.root(sha), "a copy does not follow later appends");
    }

    /** RFC 6962 section 2.1, literally: split at the largest power of two below n. */
    private static byte[] mth(MessageDigest sha, java.util.List<byte[]> leaves) {
        if (leaves.size() == 1) {
            return leaves.get(0);
        }
        int k = Integer.highestOneBit(leaves.size() - 1);
        return MerkleFrontier.node(sha, mth(sha, leaves.subList(0, k)), mth(sha, leaves.subList(k, leaves.size())));
    }
}
