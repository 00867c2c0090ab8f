package io.hypermesh.streams;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeSignalTest {
    final ChangeSignal signal = new ChangeSignal();

    @Test
    void aScopedListenerWakesOnlyForItsScopesOrAnUnscopedChangeAndOnlyOnce() {
        AtomicInteger web = new AtomicInteger();
        AtomicInteger any = new AtomicInteger();
        signal.onNextChange(List.of(io.hypermesh.streams.registry.RegistryTopology.Scopes.service("web"), ChangeSignal.health("web-1")),
                web::incrementAndGet);
        signal.onNextChange(any::incrementAndGet);

        signal.ring(io.hypermesh.streams.registry.RegistryTopology.Scopes.service("db"));
        assertEquals(0, web.get(), "another service's change does not wake a watcher of web");
        assertEquals(1, any.get(), "a listener of any change wakes");

        signal.ring(ChangeSignal.health("web-1"));
        signal.ring(io.hypermesh.streams.registry.RegistryTopology.Scopes.service("web"));
        assertEquals(1, web.get(), "woken once, by the health of one of its instances");

        signal.onNextChange(List.of(io.hypermesh.streams.registry.RegistryTopology.Scopes.service("web")), web::incrementAndGet);
        signal.ring();
        assertEquals(2, web.get(), "an unscoped change wakes everyone");
        assertEquals(0, signal.scopesWaitedOn(), "fired listeners leave nothing behind");
    }

    @Test
    void aCancelledListenerNeverRunsAndLeavesNothingBehind() {
        AtomicInteger runs = new AtomicInteger();
        Runnable cancel = signal.onNextChange(List.of("a", "b"), runs::incrementAndGet);
        cancel.run();
        signal.ring("a");
        signal.ring();
        assertEquals(0, runs.get());
        assertEquals(0, signal.scopesWaitedOn());
    }

    @Test
    void aStampMovesWithChangesInItsScopesAndWithUnscopedChanges() {
        List<String> web = List.of(io.hypermesh.streams.registry.RegistryTopology.Scopes.service("web"));
        long before = signal.stamp(web);
        long all = signal.stamp(null);
        signal.ring(io.hypermesh.streams.registry.RegistryTopology.Scopes.service("db"));
        assertNotEquals(all, signal.stamp(null), "the total moves with every change");
        // Stripes are shared by hash, so another scope may move it too; these two do not collide.
        assertEquals(before, signal.stamp(web), "a change elsewhere does not make web stale");
        signal.ring(io.hypermesh.streams.registry.RegistryTopology.Scopes.service("web"));
        assertNotEquals(before, signal.stamp(web));
        long now = signal.stamp(web);
        signal.ring();
        assertNotEquals(now, signal.stamp(web));
    }

    @Test
    void peersAreToldTheLocalChangesSinceWhereTheyStoodAndNotTheOnesPassedOn() {
        ChangeSignal.Since start = signal.since(-1);
        assertEquals(new ChangeSignal.Since(0, List.of(), false), start, "a new follower learns only where the log ends");
        signal.ring("service:web");
        signal.ring("service:db");
        signal.ring("service:web");
        signal.ringFromPeer(List.of("service:cache")); // another instance's change: woken here, not passed back
        ChangeSignal.Since next = signal.since(start.end());
        assertEquals(new ChangeSignal.Since(3, List.of("service:web", "service:db"), false), next);
        assertTrue(signal.since(next.end()).empty(), "nothing since");

        AtomicInteger woken = new AtomicInteger();
        signal.onNextChange(List.of("service:cache"), woken::incrementAndGet);
        signal.ringFromPeer(List.of("service:cache"));
        assertEquals(1, woken.get(), "a peer's change wakes the watchers of its scope");

        signal.ring();
        assertTrue(signal.since(next.end()).all(), "an unscoped change: everything may have moved");
        for (int i = 0; i < 9_000; i++) {
            signal.ring("service:s" + (i % 3));
        }
        assertTrue(signal.since(next.end()).all(), "further back than the log keeps: everything");
        ChangeSignal.Since recent = signal.since(signal.since(-1).end() - 3);
        assertEquals(List.of("service:s0", "service:s1", "service:s2"), recent.scopes().stream().sorted().toList());
    }
}
