package io.hypermesh.coordinator.bus;

import io.hypermesh.coordinator.spec.PlatformSpec;
import io.hypermesh.http.auth.ApiTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `up`'s platform has an adapter only for what the machine offers it. */
class BundledPlatformTest {

    static BundledPlatform.Machine machine(Optional<List<String>> etcd, Optional<Path> socket) {
        return new BundledPlatform.Machine("127.0.0.1", 1, 2, etcd, socket, List.of(), ApiTokens.open());
    }

    @Test
    void consensusOnlyWithAnEtcdAndContainersOnlyWithAnEngineSocket() {
        PlatformSpec bare = BundledPlatform.spec(BundledPlatform.bundled(), machine(Optional.empty(), Optional.empty()));
        assertEquals(List.of("security", "transport"), bare.components().keySet().stream().sorted().toList());
        PlatformSpec full = BundledPlatform.spec(BundledPlatform.bundled(), machine(Optional.of(List.of("http://127.0.0.1:2379")),
                Optional.of(Path.of("/run/docker.sock"))));
        assertEquals(List.of("consensus", "containers", "security", "transport"), full.components().keySet().stream().sorted().toList());
        assertEquals(List.of(1, 2, 3, 4), List.of(full.components().get("transport").phase(), full.components().get("consensus").phase(),
                full.components().get("containers").phase(), full.components().get("security").phase()));
        assertTrue(full.components().get("consensus").optional() && full.components().get("containers").optional()
                && !full.components().get("transport").optional(), "consensus and containers may fail and leave the platform DEGRADED");
    }

    @Test
    void whatUpIsToldWinsAndFreePortsAreChosenBeforeTheInputsStart(@TempDir Path dir) throws Exception {
        Path socket = Files.createFile(dir.resolve("engine.sock"));
        BundledPlatform.Machine told = BundledPlatform.Machine.discover("127.0.0.1", 0, 0, List.of("http://10.0.0.9:2379"), socket,
                List.of(), ApiTokens.open());
        assertEquals(Optional.of(List.of("http://10.0.0.9:2379")), told.etcd());
        assertEquals(Optional.of(socket), told.engineSocket());
        assertTrue(told.transportPort() > 0 && told.falcoPort() > 0, "ports 0 become free ones: " + told);
    }
}
