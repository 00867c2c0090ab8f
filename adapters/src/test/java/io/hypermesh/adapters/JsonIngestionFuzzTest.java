package io.hypermesh.adapters;

import io.hypermesh.adapters.security.SecurityInput;
import io.hypermesh.adapters.transport.TransportAdapter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes what the adapters read from outside: Falco alerts, Tetragon export lines and transport
 * telemetry, as real documents with fields removed, retyped, nested or cut, and as raw text.
 * Each is accepted or refused with {@link InvalidInputException} (a 400 or a dead letter with the
 * reason); nothing else escapes, which over HTTP would be a 500.
 */
class JsonIngestionFuzzTest {
    static final String FALCO = """
            {"hostname":"node-7","output":"Warning Sensitive file opened","priority":"Warning","rule":"Read sensitive file untrusted",
             "source":"syscall","tags":["filesystem"],"time":"2026-11-25T10:01:02.500000000Z",
             "output_fields":{"container.id":"3ad7b26ded6d","fd.name":"/etc/shadow","proc.cmdline":"cat /etc/shadow",
                              "evt.time":1795600862500000000}}
            """;
    static final String TETRAGON = "{\"process_kprobe\":{\"process\":{\"exec_id\":\"a2luZDo3NjA1\",\"pid\":52699,\"uid\":0,"
            + "\"binary\":\"/usr/bin/cat\",\"arguments\":\"/etc/passwd\",\"docker\":\"5517e2a1\",\"pod\":{\"namespace\":\"defaul"
                    + "t\",\"name\":\"xwing\"}},"
            + "\"function_name\":\"security_file_permission\",\"policy_name\":\"file-monitoring\",\"action\":\"KPROBE_ACTION_SIGKILL\"},"
            + "\"node_name\":\"kind-worker\",\"time\":\"2026-11-25T10:02:03.000000001Z\"}";
    static final String TELEMETRY = "{\"linkId\":\"l-1\",\"nodeId\":\"a\",\"peerNodeId\":\"b\",\"latencyMs\":3.5,\"jitterMs\":0.2,"
            + "\"lossRatio\":0.01,\"throughputBps\":1000000}";

    @Property(tries = 1500, edgeCases = EdgeCasesMode.MIXIN)
    void falcoAlerts(@ForAll("falco") String body) {
        acceptedOrRefused(SecurityInput::falco, body);
    }

    @Property(tries = 1500, edgeCases = EdgeCasesMode.MIXIN)
    void tetragonLines(@ForAll("tetragon") String line) {
        acceptedOrRefused(SecurityInput::tetragon, line);
    }

    @Property(tries = 1500, edgeCases = EdgeCasesMode.MIXIN)
    void transportTelemetry(@ForAll("telemetry") String body) {
        acceptedOrRefused(TransportAdapter::readTelemetry, body);
    }

    private static void acceptedOrRefused(Function<String, ?> parse, String input) {
        try {
            assertTrue(parse.apply(input) != null, "accepted input gives a value");
        } catch (InvalidInputException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a refusal says why");
        } catch (Throwable e) {
            fail("input must be accepted or refused with InvalidInputException, got " + e + " for: " + input, e);
        }
    }

    @Provide
    Arbitrary<String> falco() {
        return mutationsOf(FALCO);
    }

    @Provide
    Arbitrary<String> tetragon() {
        return mutationsOf(TETRAGON);
    }

    @Provide
    Arbitrary<String> telemetry() {
        return mutationsOf(TELEMETRY);
    }

    /** A real document mutated structurally (as JSON) or as text, or any text at all. */
    static Arbitrary<String> mutationsOf(String document) {
        Arbitrary<String> structural = structuralEdit().list().ofMinSize(1).ofMaxSize(4).map(edits -> {
            JsonObject o = new JsonObject(document);
            edits.forEach(edit -> edit.apply(o));
            return o.encode();
        });
        Arbitrary<String> textual = Combinators.combine(Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, 2),
                Arbitraries.strings().ofMaxLength(6)).as((at, kind, text) -> {
            int i = at % (document.length() + 1);
            return switch (kind) {
                case 0 -> document.substring(0, i);
                case 1 -> document.substring(0, i) + text + document.substring(i);
                default -> document.substring(0, i) + document.substring(Math.min(document.length(), i + text.length() + 1));
            };
        });
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, structural),
                net.jqwik.api.Tuple.of(3, textual),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(40)));
    }

    /** Picks a field anywhere in the document (by a walk of numbered choices) and removes or replaces it. */
    record Edit(List<Integer> path, int kind, Object value) {
        void apply(JsonObject root) {
            JsonObject target = root;
            for (int step : path) {
                List<String> nested = new ArrayList<>();
                target.forEach(e -> {
                    if (e.getValue() instanceof JsonObject) {
                        nested.add(e.getKey());
                    }
                });
                if (nested.isEmpty()) {
                    break;
                }
                target = target.getJsonObject(nested.get(step % nested.size()));
            }
            List<String> names = new ArrayList<>(target.fieldNames());
            if (names.isEmpty()) {
                target.put("x", value);
                return;
            }
            String name = names.get(Math.abs(kind) % names.size());
            if (kind % 3 == 0) {
                target.remove(name);
            } else {
                target.put(name, value);
            }
        }
    }

    static Arbitrary<Edit> structuralEdit() {
        Arbitrary<Object> value = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(10).map(s -> (Object) s),
                Arbitraries.of("", "-1", "NaN", "Infinity", "9999-99-99T99:99:99Z", "Critical", "DEBUG", "emergency").map(s -> (Object) s),
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.doubles().map(d -> (Object) d),
                Arbitraries.of(Double.MAX_VALUE, -0.0, 1e300, Long.MIN_VALUE).map(n -> (Object) n),
                Arbitraries.of(true, false).map(b -> (Object) b),
                // Fresh each time: a shared instance could be put inside itself by a later edit.
                Arbitraries.create(() -> new JsonArray().add(1).add("a").add(new JsonObject())),
                Arbitraries.create(() -> new JsonObject().put("a", new JsonObject().put("b", new JsonArray()))),
                Arbitraries.just(null));
        return Combinators.combine(Arbitraries.integers().between(0, 50).list().ofMaxSize(3), Arbitraries.integers().between(0, 1000),
                value)
                .as(Edit::new);
    }
}
