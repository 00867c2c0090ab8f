package io.hypermesh.streams;

/**
 * What the folds tell about each record they take: how it ended and how long after it occurred it
 * was applied. The topologies take one so they stay pure functions of their config; {@link #NONE}
 * for tests and tools that do not measure.
 */
public interface FoldMetrics {
    /** How a record ended in a fold. A fixed set: it is a metric label. */
    enum Outcome {
        /** Applied to the fold's state. */
        APPLIED,
        /** Decoded, but refused or failed in the fold: dead-lettered. */
        REFUSED,
        /** Not decodable: dead-lettered. */
        UNDECODABLE
    }

    /** Why a record went to the dead-letter topic. A fixed set: it is a metric label. */
    enum DeadLetterReason {
        /** The bytes are not an event of the topic's schema (wire format, unknown id, corrupt Avro). */
        UNDECODABLE,
        /** The event breaks a rule of its fold (a missing key, a fenced coordinator, a bad value). */
        INVALID,
        /** The fold failed on it for any other reason. */
        FAILED;

        /**
         * The one rule, for the letters the folds count and the ones the dashboard reads back: by the
         * stage it failed in, and whether the event broke a rule of its fold.
         */
        public static DeadLetterReason of(String stage, boolean brokeARule) {
            if ("deserialize".equals(stage)) {
                return UNDECODABLE;
            }
            return brokeARule || "validate".equals(stage) ? INVALID : FAILED;
        }
    }

    /**
     * @param topic            the topic the record came from; its fold is {@link #foldOf}
     * @param occurredAtMillis the event's own time, for the propagation histogram; negative when unknown
     */
    void folded(String topic, Outcome outcome, long occurredAtMillis);

    void deadLettered(String topic, DeadLetterReason reason);

    /** An anomaly opened ({@code opened}) or cleared by {@code detector}. */
    default void anomaly(String detector, boolean opened) {
    }

    /** The fold a topic feeds; topics no fold reads are named as themselves. */
    static String foldOf(String topic) {
        if (topic == null) {
            return "unknown";
        }
        if (topic.equals(io.hypermesh.schemas.topics.Topics.REGISTRY.name())) {
            return "registry";
        }
        if (topic.equals(io.hypermesh.schemas.topics.Topics.HEALTH_CHECKS.name())) {
            return "health";
        }
        if (topic.equals(io.hypermesh.schemas.topics.Topics.METRICS.name())) {
            return "anomaly";
        }
        if (topic.equals(io.hypermesh.schemas.topics.Topics.LIFECYCLE.name())
                || topic.equals(io.hypermesh.schemas.topics.Topics.LIFECYCLE_COMMANDS.name())) {
            return "lifecycle";
        }
        return "other";
    }

    FoldMetrics NONE = new FoldMetrics() {
        @Override
        public void folded(String topic, Outcome outcome, long occurredAtMillis) {
        }

        @Override
        public void deadLettered(String topic, DeadLetterReason reason) {
        }
    };
}
