package io.hypermesh.platform.registry;

/**
 * One entry of the registry's log. Each kind has its own key so log compaction keeps exactly
 * the latest state: global ids are never tombstoned, so an id is never reused.
 */
public sealed interface StoreRecord {

    /** A global schema id and the schema it names (the canonical text). */
    record SchemaId(int id, SchemaDefinition definition) implements StoreRecord {
    }

    /** A subject's version pointing at a global id; {@code deleted} marks a soft delete. */
    record SubjectVersion(String subject, int version, int id, boolean deleted) implements StoreRecord {
    }

    /** A permanent delete of one subject version. */
    record SubjectVersionTombstone(String subject, int version) implements StoreRecord {
    }

    /** Compatibility level for a subject, or global when {@code subject} is null; null level removes it. */
    record Config(String subject, CompatibilityLevel level) implements StoreRecord {
    }

    /** Mode (READWRITE, READONLY, READONLY_OVERRIDE, IMPORT) of a subject, or global when {@code subject} is null; null mode removes it. */
    record Mode(String subject, String mode) implements StoreRecord {
    }
}
