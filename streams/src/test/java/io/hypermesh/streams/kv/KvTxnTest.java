package io.hypermesh.streams.kv;

import io.hypermesh.events.kv.KvOp;
import io.hypermesh.state.KvEntry;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvTxnTest {
    private final TreeMap<String, KvEntry> store = new TreeMap<>();
    private final KvTxn.Source source = new KvTxn.Source() {
        @Override
        public KvEntry get(String key) {
            return store.get(key);
        }

        @Override
        public List<KvEntry> prefix(String prefix) {
            return store.tailMap(prefix).values().stream().filter(e -> e.getKey().startsWith(prefix)).toList();
        }

        @Override
        public boolean sessionExists(String id) {
            return false;
        }

        @Override
        public long lockDelayUntil(String key) {
            return 0;
        }
    };

    private void put(String key, int bytes) {
        store.put(key, KvEntry.newBuilder().setKey(key).setValue(ByteBuffer.wrap(new byte[bytes])).setCreateIndex(1).setModifyIndex(1)
                .setWrittenAt(Instant.EPOCH).build());
    }

    @Test
    void aTransactionWhoseReadsPassTheBoundFailsNamingTheOperation() {
        put("big/a", 1024 * 1024);
        put("big/b", 1024 * 1024);
        put("big/c", 1024 * 1024);
        KvTxn small = new KvTxn(source, 9, 0, "t").apply(List.of(new KvOp("get", "big/a", null, 0L, 0L, null)));
        assertTrue(small.ok());
        KvTxn big = new KvTxn(source, 9, 0, "t").apply(List.of(new KvOp("set", "x", null, 0L, 0L, null),
                new KvOp("get-tree", "big/", null, 0L, 0L, null)));
        assertFalse(big.ok());
        assertEquals(1, big.errors().get(0).getOpIndex());
        assertTrue(big.errors().get(0).getWhat().startsWith("the results of this transaction pass 2097152 bytes"));
        assertTrue(big.changes().isEmpty(), "and it changes nothing");
    }

    @Test
    void aTreeSeesTheTransactionsOwnWritesAndDeletes() {
        put("t/a", 1);
        put("t/b", 1);
        KvTxn txn = new KvTxn(source, 9, 0, "t").apply(List.of(new KvOp("delete", "t/a", null, 0L, 0L, null),
                new KvOp("set", "t/c", null, 0L, 0L, null), new KvOp("set", "u", null, 0L, 0L, null),
                new KvOp("get-tree", "t/", null, 0L, 0L, null)));
        assertEquals(List.of("t/c", "u", "t/b", "t/c"), txn.results().stream().map(KvEntry::getKey).toList());
    }
}
