package io.hypermesh.schemas.format;

import java.util.List;

/**
 * A registered schema of one of the registry's types (AVRO, JSON, PROTOBUF), parsed with its
 * references. Compatibility is asked of the newer schema, as Confluent asks it: can a reader
 * with this schema read what a writer with {@code previous} wrote.
 */
public interface ParsedSchema {
    /** AVRO, JSON or PROTOBUF, as the registry's {@code schemaType} field spells it. */
    String schemaType();

    /** The text the registry stores and answers with. */
    String canonical();

    /** The canonical text with the order-insensitive parts put in one order, for {@code ?normalize=true}. */
    String normalized();

    /** What stops this schema from reading data written with {@code previous}; empty when it can. */
    List<Difference> backwardIncompatibilities(ParsedSchema previous);

    /** One incompatible change: Confluent's error type, what it means, and where. */
    record Difference(String errorType, String description, String location) {
    }

    static List<Difference> differentType(ParsedSchema current, ParsedSchema previous) {
        return List.of(new Difference("TYPE_MISMATCH", "Incompatible because of different schema type: "
                + previous.schemaType() + " then " + current.schemaType(), "/"));
    }
}
