package io.hypermesh.adapters.audit;

import java.security.MessageDigest;

/**
 * The RFC 6962 Merkle tree head over a growing list of leaves, kept as the roots of its perfect
 * subtrees (left to right, largest first), so appending and computing the head are O(log n).
 */
public final class MerkleFrontier {
    /** Roots of the perfect subtrees, largest first: one per set bit of {@link #size}, highest bit first. */
    private byte[][] roots = new byte[64][];
    private int count;
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
        byte[] input = new byte[1 + left.length + right.length];
        return node(sha256, left, right, input);
    }

    /** RFC 6962 node hash SHA-256(0x01 || left || right), hashed in one update from {@code input}. */
    private static byte[] node(MessageDigest sha256, byte[] left, byte[] right, byte[] input) {
        input[0] = 1;
        System.arraycopy(left, 0, input, 1, left.length);
        System.arraycopy(right, 0, input, 1 + left.length, right.length);
        sha256.reset();
        sha256.update(input, 0, 1 + left.length + right.length);
        return sha256.digest();
    }

    /** Reused by {@link #append}: one update per node is far cheaper than three small ones. */
    private final byte[] nodeInput = new byte[65];

    /** Appends a leaf: each trailing one bit of the size is a subtree of equal width to merge with. */
    public void append(MessageDigest sha256, byte[] leafHash) {
        byte[] root = leafHash;
        for (long s = size; (s & 1) == 1; s >>>= 1) {
            root = node(sha256, roots[--count], root, nodeInput);
            roots[count] = null;
        }
        roots[count++] = root;
        size++;
    }

    public MerkleFrontier copy() {
        MerkleFrontier c = new MerkleFrontier();
        c.restore(this);
        return c;
    }

    void restore(MerkleFrontier from) {
        roots = from.roots.clone();
        count = from.count;
        size = from.size;
    }

    public long size() {
        return size;
    }

    /** The tree head: the subtree roots folded from the right, as RFC 6962 splits at the largest power of two. */
    public byte[] root(MessageDigest sha256) {
        if (count == 0) {
            sha256.reset();
            return sha256.digest();
        }
        byte[] acc = roots[count - 1];
        for (int i = count - 2; i >= 0; i--) {
            acc = node(sha256, roots[i], acc);
        }
        return acc;
    }
}
