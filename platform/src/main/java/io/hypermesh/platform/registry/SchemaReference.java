package io.hypermesh.platform.registry;

/** A named type imported from another subject's version (Confluent schema references). */
public record SchemaReference(String name, String subject, int version) {
}
