package io.hypermesh.adapters.container;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the Docker Engine API's JSON says of a container: its name, labels and first exposed port. */
final class EngineJson {
    private EngineJson() {
    }

    /** What the event itself says of a container that inspect can no longer show (it is gone). */
    static JsonObject containerFromAttributes(JsonObject attributes) {
        JsonObject labels = new JsonObject();
        attributes.forEach(e -> {
            if (!List.of("image", "name", "exitCode", "containerExitCode", "podId").contains(e.getKey())) {
                labels.put(e.getKey(), e.getValue());
            }
        });
        String exit = attributes.getString("exitCode", attributes.getString("containerExitCode"));
        return new JsonObject().put("Name", attributes.getString("name", "")).put("Config",
                new JsonObject().put("Image", attributes.getString("image", "")).put("Labels", labels))
                .put("State", new JsonObject().put("ExitCode", exit == null ? null : Integer.valueOf(exit)));
    }

    static Map<String, String> labels(JsonObject container) {
        Map<String, String> out = new HashMap<>();
        JsonObject labels = container.getJsonObject("Config", new JsonObject()).getJsonObject("Labels");
        if (labels != null) {
            labels.forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
        }
        return out;
    }

    static String name(JsonObject container) {
        String name = container.getString("Name", "");
        return name.startsWith("/") ? name.substring(1) : name;
    }

    static int firstExposedPort(JsonObject c) {
        JsonObject exposed = c.getJsonObject("Config", new JsonObject()).getJsonObject("ExposedPorts");
        if (exposed == null || exposed.isEmpty()) {
            return 0;
        }
        String first = exposed.fieldNames().iterator().next(); // "8080/tcp"
        return Integer.parseInt(first.split("/")[0]);
    }
}
