package io.hypermesh.platform.registry;

import io.hypermesh.schemas.registry.RegistryException;
import io.hypermesh.schemas.format.ParsedSchema;
import io.hypermesh.schemas.format.SchemaTypes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The seven Confluent compatibility levels, over each schema type's own rules.
 * BACKWARD: the new schema reads data written with the old; FORWARD: the old reads the new;
 * FULL: both. Transitive levels check every earlier version, the others only the latest.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    public static final CompatibilityLevel DEFAULT = BACKWARD;

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    public boolean transitive() {
        return transitive;
    }

    public static CompatibilityLevel parse(String text) {
        if (text == null) {
            throw invalid("null");
        }
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(text);
        }
    }

    /** Confluent's 42203 for a level that is not one of ours. */
    public static RegistryException invalid(String level) {
        return RegistryException.invalidCompatibilityLevel(level,
                Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }

    /**
     * Checks a candidate against earlier schemas, oldest first. Returns one message per
     * incompatibility; an empty list means compatible.
     */
    public List<String> check(ParsedSchema candidate, List<ParsedSchema> earlierOldestFirst) {
        if (this == NONE || earlierOldestFirst.isEmpty()) {
            return List.of();
        }
        List<ParsedSchema> against = transitive
                ? earlierOldestFirst
                : List.of(earlierOldestFirst.get(earlierOldestFirst.size() - 1));
        List<String> messages = new ArrayList<>();
        try {
            for (ParsedSchema earlier : against) {
                if (backward) {
                    describe(candidate.backwardIncompatibilities(earlier), "BACKWARD", messages);
                }
                if (forward) {
                    describe(earlier.backwardIncompatibilities(candidate), "FORWARD", messages);
                }
            }
        } catch (StackOverflowError e) {
            throw RegistryException.invalidSchema(SchemaTypes.tooDeep().getMessage());
        }
        return messages;
    }

    private static void describe(List<ParsedSchema.Difference> differences, String direction, List<String> out) {
        for (ParsedSchema.Difference d : differences) {
            out.add("{errorType:'" + d.errorType() + "', description:'" + d.description()
                    + "', location:'" + d.location() + "', direction:'" + direction + "'}");
        }
    }
}
