package io.hypermesh.coordinator.bus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BusEndpointsTest {

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults(@TempDir Path dir) throws Exception {
        assertEquals(BusEndpoints.LOCAL_DEFAULT, BusEndpoints.resolve(null, null, dir, Map.of()));
        new BusEndpoints("file:1", "http://file").write(dir);
        assertEquals(new BusEndpoints("file:1", "http://file"), BusEndpoints.resolve(null, null, dir, Map.of()));
        Map<String, String> env = Map.of(BusEndpoints.ENV_BOOTSTRAP, "env:2");
        assertEquals(new BusEndpoints("env:2", "http://file"), BusEndpoints.resolve(null, null, dir, env));
        assertEquals(new BusEndpoints("flag:3", "http://flag"), BusEndpoints.resolve("flag:3", "http://flag", dir, env));
    }
}
