package io.hypermesh.streams;

/** An event that decodes but makes no sense (negative TTL, empty name...); it goes to the dead-letter topic. */
public final class InvalidEventException extends RuntimeException {
    public InvalidEventException(String message) {
        super(message);
    }

    /**
     * The value of a record of an input topic, refused when it is a tombstone: no input topic gives
     * a null value a meaning, so one goes to the dead-letter topic saying so, rather than being
     * skipped by an aggregation or failing later with a NullPointerException.
     */
    public static <V> V present(V value, String topic) {
        if (value == null) {
            throw new InvalidEventException("a tombstone (null value) on " + topic + " means nothing: every event there is an envelope"
                    + (topic.equals(io.hypermesh.schemas.topics.Topics.REGISTRY.name())
                            ? " (deregister with a ServiceDeregistered event)" : ""));
        }
        return value;
    }

    public static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidEventException(message);
        }
    }
}
