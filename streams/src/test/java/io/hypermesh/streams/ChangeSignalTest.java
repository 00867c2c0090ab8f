package io.hypermesh.streams;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class ChangeSignalTest {
    final ChangeSignal signal = new ChangeSignal();

    @Test
    void aScopedListenerWakesOnlyForItsScopesOrAnUnscopedChangeAndOnlyOnce() {
        AtomicInteger web = new AtomicInteger();
        AtomicInteger any = new AtomicInteger();
        signal.onNextChange(List.of(io.hypermesh.streams.registry.RegistryTopology.Scopes.service("web"), ChangeSignal.health("web-1")), web::incrementAndGet);
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
}
