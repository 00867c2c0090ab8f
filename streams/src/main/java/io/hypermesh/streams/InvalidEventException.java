package io.hypermesh.streams;

/** An event that decodes but makes no sense (negative TTL, empty name...); it goes to the dead-letter topic. */
public final class InvalidEventException extends RuntimeException {
    public InvalidEventException(String message) {
        super(message);
    }

    public static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidEventException(message);
        }
    }
}
