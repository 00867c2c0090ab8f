package io.hypermesh.streams.anomaly;

import java.nio.charset.StandardCharsets;

/**
 * The behaviours a workload was seen doing, as a Bloom filter of a fixed {@value #BITS} bits in
 * {@value #BLOCKS} blocks: whatever a workload does, its baseline costs the same 16 KB, and only the
 * blocks a new behaviour touches are written again. A behaviour never seen may read as seen once the
 * filter fills (about 1 in 100,000 at 1,000 behaviours, 1 in 125 at 10,000): a missed flag, never a false one.
 */
final class BehaviourFilter {
    static final int BITS = 1 << 17;
    static final int BLOCKS = 16;
    static final int BLOCK_BYTES = BITS / 8 / BLOCKS;
    static final int HASHES = 3;

    private BehaviourFilter() {
    }

    /** The bit positions of a behaviour: double hashing of a 64-bit FNV-1a, the same on every JVM. */
    static int[] bits(String behaviour) {
        long h = 0xcbf29ce484222325L;
        for (byte b : behaviour.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        int h1 = (int) h;
        int h2 = (int) (h >>> 32) | 1;
        int[] bits = new int[HASHES];
        for (int i = 0; i < HASHES; i++) {
            bits[i] = Math.floorMod(h1 + i * h2, BITS);
        }
        return bits;
    }

    static int blockOf(int bit) {
        return bit / (BLOCK_BYTES * 8);
    }

    static boolean isSet(byte[] block, int bit) {
        int at = bit % (BLOCK_BYTES * 8);
        return block != null && (block[at / 8] & (1 << (at % 8))) != 0;
    }

    static void set(byte[] block, int bit) {
        int at = bit % (BLOCK_BYTES * 8);
        block[at / 8] |= (byte) (1 << (at % 8));
    }
}
