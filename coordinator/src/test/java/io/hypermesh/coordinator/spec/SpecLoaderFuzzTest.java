package io.hypermesh.coordinator.spec;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the YAML spec loader with arbitrary text and with the bundled spec mutated line by line.
 * Whatever it reads, it gives a spec or refuses it with {@link SpecException}, every problem
 * naming the file and where; nothing else escapes.
 */
class SpecLoaderFuzzTest {
    static final String SOURCE = "fuzz.yaml";
    static final List<String> BUNDLED = bundled();

    @Property(tries = 1000, edgeCases = EdgeCasesMode.MIXIN)
    void arbitraryTextGivesASpecOrNamedProblems(@ForAll("yamlish") String text) {
        loadOrRefuseCleanly(text);
    }

    @Property(tries = 2000, edgeCases = EdgeCasesMode.MIXIN)
    void aMutatedSpecGivesASpecOrNamedProblems(@ForAll("mutatedSpec") String text) {
        loadOrRefuseCleanly(text);
    }

    private static void loadOrRefuseCleanly(String text) {
        try {
            PlatformSpec spec = SpecLoader.parse(text, SOURCE, Map.of());
            assertFalse(spec.components().isEmpty(), "an accepted spec has components");
        } catch (SpecException e) {
            assertFalse(e.problems().isEmpty(), "a refusal lists its problems");
            for (String problem : e.problems()) {
                assertTrue(problem.startsWith(SOURCE + ":"), "each problem names the file and where: " + problem);
            }
        } catch (Throwable e) {
            fail("a spec must load or be refused with a SpecException, got " + e + " for:\n" + text, e);
        }
    }

    /** Characters and tokens YAML gives meaning to, mixed with plain words. */
    @Provide
    Arbitrary<String> yamlish() {
        Arbitrary<String> token = Arbitraries.oneOf(
                Arbitraries.of(":", "- ", "  ", "\n", "\t", "{", "}", "[", "]", ",", "&a ", "*a", "!!str ", "!!binary ", "? ", "|", ">",
                        "'", "\"", "#", "---", "...", "%YAML 1.2", "<<: ", "~", "null", "1e999", "0x1F", "-1", "phase", "components",
                        "platform", "requires", "startTimeout", "5s", "${X}", "${Y:-3}"),
                Arbitraries.strings().ofMaxLength(8));
        return token.list().ofMaxSize(60).map(parts -> String.join("", parts));
    }

    /** The bundled spec with lines deleted, duplicated, swapped, re-indented or with values replaced. */
    @Provide
    Arbitrary<String> mutatedSpec() {
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of("", "~", "[]", "{}", "-5", "99999999999999999999", "0", "x", "5h", "1ms",
                        "[a, [b]]", "&x {}", "*x", "!!set {a}", "\"\\u0000\"", "${UNSET}", "true"),
                Arbitraries.strings().ofMaxLength(12));
        Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, 10_000), value).as(Mutation::new);
        return mutation.list().ofMinSize(1).ofMaxSize(6).map(mutations -> {
            List<String> lines = new ArrayList<>(BUNDLED);
            for (Mutation m : mutations) {
                m.apply(lines);
            }
            return String.join("\n", lines);
        });
    }

    record Mutation(int kind, int a, int b, String value) {
        void apply(List<String> lines) {
            if (lines.isEmpty()) {
                lines.add(value);
                return;
            }
            int i = a % lines.size();
            int j = b % lines.size();
            String line = lines.get(i);
            switch (kind) {
                case 0 -> lines.remove(i);
                case 1 -> lines.add(j, line);
                case 2 -> {
                    lines.set(i, lines.get(j));
                    lines.set(j, line);
                }
                case 3 -> lines.set(i, " ".repeat(b % 7) + line.strip());
                case 4 -> {
                    int colon = line.indexOf(':');
                    lines.set(i, colon < 0 ? line + value : line.substring(0, colon + 1) + " " + value);
                }
                default -> lines.add(i, value);
            }
        }
    }

    private static List<String> bundled() {
        try (InputStream in = SpecLoader.class.getClassLoader().getResourceAsStream("specs/development.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
