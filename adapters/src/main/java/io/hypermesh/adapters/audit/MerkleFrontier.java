package io.hypermesh.adapters.audit;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The RFC 6962 Merkle tree head over a growing list of leaves, kept as the roots of its perfect
 * subtrees (left to right, largest first), so appending and computing the head are O(log n).
 */
public final class MerkleFrontier {
    private final List<byte[]> subtreeRoots = new ArrayList<>();
    private final List<Long> subtreeSizes = new ArrayList<>();
    private long size;

    /** A SHA-256 digest (every JVM has one). */
    public static MessageDigest sha256OrFail() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 6962 leaf hash: SHA-256(0x00 || data). */
    public static byte[] leafHash(MessageDigest sha256, byte[] data) {
        sha256.reset();
        sha256.update((byte) 0);
        sha256.update(data);
        return sha256.digest();
    }

    static byte[] node(MessageDigest sha256, byte[] left, byte[] right) {
        sha256.reset();
        sha256.update((byte) 1);
        sha256.update(left);
        sha256.update(right);
        return sha256.digest();
    }

    public void append(MessageDigest sha256, byte[] leafHash) {
        byte[] root = leafHash;
        long width = 1;
        while (!subtreeSizes.isEmpty() && subtreeSizes.get(subtreeSizes.size() - 1) == width) {
            root = node(sha256, subtreeRoots.remove(subtreeRoots.size() - 1), root);
            subtreeSizes.remove(subtreeSizes.size() - 1);
            width *= 2;
        }
        subtreeRoots.add(root);
        subtreeSizes.add(width);
        size++;
    }

    public MerkleFrontier copy() {
        MerkleFrontier c = new MerkleFrontier();
        c.restore(this);
        return c;
    }

    void restore(MerkleFrontier from) {
        subtreeRoots.clear();
        subtreeRoots.addAll(from.subtreeRoots);
        subtreeSizes.clear();
        subtreeSizes.addAll(from.subtreeSizes);
        size = from.size;
    }

    public long size() {
        return size;
    }

    /** The tree head: the subtree roots folded from the right, as RFC 6962 splits at the largest power of two. */
    public byte[] root(MessageDigest sha256) {
        if (subtreeRoots.isEmpty()) {
            sha256.reset();
            return sha256.digest();
        }
        byte[] acc = subtreeRoots.get(subtreeRoots.size() - 1);
        for (int i = subtreeRoots.size() - 2; i >= 0; i--) {
            acc = node(sha256, subtreeRoots.get(i), acc);
        }
        return acc;
    }
}
