package io.hypermesh.http;

/**
 * Booleans as Go's {@code strconv.ParseBool} reads them, which is how Consul reads its query
 * flags: 1, t, T, TRUE, true, True and their false counterparts, nothing else.
 */
public final class GoBool {
    private GoBool() {
    }

    /** The value; {@link IllegalArgumentException} when Go would not read it as a boolean. */
    public static boolean parse(String text) {
        return switch (text) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new IllegalArgumentException("strconv.ParseBool: parsing \"" + text + "\": invalid syntax");
        };
    }
}
