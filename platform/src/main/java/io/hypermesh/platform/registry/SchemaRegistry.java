package io.hypermesh.platform.registry;

import io.hypermesh.schemas.registry.RegistryException;
import io.hypermesh.schemas.format.ParsedSchema;
import io.hypermesh.schemas.format.SchemaTypes;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * The rules of a Confluent-compatible schema registry as pure functions of {@link RegistryState}.
 * A mutating operation returns the records to append ({@link Planned}); it never changes the state
 * itself, so the same rules serve the Kafka-backed store and the in-memory one.
 */
public final class SchemaRegistry {
    public static final String LATEST = "latest";

    private SchemaRegistry() {
    }

    /** Records to append and the answer to give once they are durable. */
    public record Planned<T>(List<StoreRecord> writes, T result) {
        static <T> Planned<T> nothingToWrite(T result) {
            return new Planned<>(List.of(), result);
        }
    }

    /** One subject version with its schema. */
    public record VersionView(String subject, int version, int id, SchemaDefinition definition, boolean deleted) {
    }

    public record CompatibilityResult(boolean compatible, List<String> messages) {
    }

    /** The largest schema text stored: its record must fit Kafka's default 1 MB message size with room for the rest. */
    public static final int MAX_SCHEMA_BYTES = 900_000;

    public static Planned<Integer> register(RegistryState state, String subject, SchemaDefinition submitted) {
        return register(state, subject, submitted, -1, 0, false);
    }

    /**
     * Registers as Confluent does in each mode: READONLY refuses; an {@code id} (>= 0) or a
     * {@code version} (> 0) is kept only in IMPORT mode, which skips the compatibility check; a
     * plain register needs READWRITE.
     */
    public static Planned<Integer> register(RegistryState state, String subject, SchemaDefinition submitted, int givenId,
                                           int givenVersion, boolean normalize) {
        refuseInvalidSubject(subject);
        refuseIfReadOnly(state, subject);
        String mode = state.modeInScope(subject);
        boolean importing = givenId >= 0 || givenVersion > 0;
        if (importing && !IMPORT.equals(mode)) {
            throw RegistryException.operationNotPermitted("Subject " + subject + " is not in import mode");
        }
        if (!importing && !READWRITE.equals(mode)) {
            throw RegistryException.operationNotPermitted("Subject " + subject + " is not in read-write mode");
        }
        int size = submitted.schema().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (size > MAX_SCHEMA_BYTES) {
            throw RegistryException.schemaTooLarge(size, MAX_SCHEMA_BYTES); // before parsing it: a 2.5 MB schema takes seconds to parse
        }
        ParsedSchema parsed = parse(state, submitted);
        SchemaDefinition stored = stored(submitted, parsed, normalize);
        int storedSize = stored.schema().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (storedSize > MAX_SCHEMA_BYTES) {
            throw RegistryException.schemaTooLarge(storedSize, MAX_SCHEMA_BYTES);
        }
        Optional<Integer> existingId = state.idFor(stored.identity(stored.schema()));
        if (importing && givenId >= 0 && existingId.isPresent() && existingId.get() != givenId) {
            existingId = Optional.empty(); // the same schema imported under an id of its own
        }
        NavigableMap<Integer, StoreRecord.SubjectVersion> versions = state.versions(subject);
        if (existingId.isPresent()) {
            for (StoreRecord.SubjectVersion v : versions.values()) {
                if (!v.deleted() && v.id() == existingId.get() && (givenVersion <= 0 || givenVersion == v.version())) {
                    return Planned.nothingToWrite(v.id());
                }
            }
        }
        if (!importing) {
            List<String> problems = state.effectiveLevel(subject).check(parsed, liveSchemas(state, versions));
            if (!problems.isEmpty()) {
                throw RegistryException.incompatible(subject, problems);
            }
        }
        List<StoreRecord> writes = new ArrayList<>();
        int id;
        if (givenId >= 0) {
            Optional<SchemaDefinition> taken = state.schemaById(givenId);
            if (taken.isPresent() && !taken.get().identity(taken.get().schema()).equals(stored.identity(stored.schema()))) {
                throw RegistryException.operationNotPermitted("Overwrite new schema with id " + givenId + " is not permitted.");
            }
            id = givenId;
            if (taken.isEmpty()) {
                writes.add(new StoreRecord.SchemaId(id, stored));
            }
        } else {
            id = existingId.orElseGet(state::nextId);
            if (existingId.isEmpty()) {
                writes.add(new StoreRecord.SchemaId(id, stored));
            }
        }
        int version = givenVersion > 0 ? givenVersion : versions.isEmpty() ? 1 : versions.lastKey() + 1;
        writes.add(new StoreRecord.SubjectVersion(subject, version, id, false));
        return new Planned<>(writes, id);
    }

    public static final String READWRITE = "READWRITE";
    public static final String READONLY = "READONLY";
    public static final String READONLY_OVERRIDE = "READONLY_OVERRIDE";
    public static final String IMPORT = "IMPORT";

    static boolean isReadOnly(String mode) {
        return READONLY.equals(mode) || READONLY_OVERRIDE.equals(mode);
    }

    private static void refuseIfReadOnly(RegistryState state, String subject) {
        if (isReadOnly(state.modeInScope(subject))) {
            throw RegistryException.operationNotPermitted("Subject " + subject + " is in read-only mode");
        }
    }

    public static VersionView lookup(RegistryState state, String subject, SchemaDefinition submitted, boolean includeDeleted,
                                     boolean normalize) {
        ParsedSchema parsed = parse(state, submitted);
        SchemaDefinition stored = stored(submitted, parsed, normalize);
        NavigableMap<Integer, StoreRecord.SubjectVersion> versions = state.versions(subject);
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        Optional<Integer> id = state.idFor(stored.identity(stored.schema()));
        for (StoreRecord.SubjectVersion v : versions.descendingMap().values()) {
            if (id.isPresent() && v.id() == id.get() && (includeDeleted || !v.deleted())) {
                return view(state, v);
            }
        }
        throw RegistryException.schemaNotFound("no version of subject '" + subject + "' has this schema");
    }

    public static List<Integer> versions(RegistryState state, String subject, boolean includeDeleted) {
        List<Integer> numbers = new ArrayList<>();
        state.versions(subject).values().forEach(v -> {
            if (includeDeleted || !v.deleted()) {
                numbers.add(v.version());
            }
        });
        if (numbers.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return numbers;
    }

    public static VersionView version(RegistryState state, String subject, String versionSpec, boolean includeDeleted) {
        return view(state, resolve(state, subject, versionSpec, includeDeleted));
    }

    public static Planned<List<Integer>> deleteSubject(RegistryState state, String subject, boolean permanent) {
        refuseIfReadOnly(state, subject);
        NavigableMap<Integer, StoreRecord.SubjectVersion> versions = state.versions(subject);
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        boolean anyLive = versions.values().stream().anyMatch(v -> !v.deleted());
        List<StoreRecord> writes = new ArrayList<>();
        List<Integer> deleted = new ArrayList<>();
        if (permanent) {
            if (anyLive) {
                throw RegistryException.subjectNotSoftDeleted(subject);
            }
            for (StoreRecord.SubjectVersion v : versions.values()) {
                SchemaReferences.refuseIfReferenced(state, v);
                writes.add(new StoreRecord.SubjectVersionTombstone(subject, v.version()));
                deleted.add(v.version());
            }
        } else {
            if (!anyLive) {
                throw RegistryException.subjectSoftDeleted(subject);
            }
            for (StoreRecord.SubjectVersion v : versions.values()) {
                if (!v.deleted()) {
                    SchemaReferences.refuseIfReferenced(state, v); // Confluent refuses a soft delete of what is referenced too
                    writes.add(new StoreRecord.SubjectVersion(subject, v.version(), v.id(), true));
                    deleted.add(v.version());
                }
            }
            // As Confluent: a soft-deleted subject loses its own mode.
            if (state.subjectMode(subject).isPresent()) {
                writes.add(new StoreRecord.Mode(subject, null));
            }
        }
        return new Planned<>(writes, deleted);
    }

    public static Planned<Integer> deleteVersion(RegistryState state, String subject, String versionSpec, boolean permanent) {
        refuseIfReadOnly(state, subject);
        // "latest" means the latest live version for a soft delete; a numbered one may already be soft-deleted.
        StoreRecord.SubjectVersion v = resolve(state, subject, versionSpec, permanent || !isLatest(versionSpec));
        if (permanent) {
            if (!v.deleted()) {
                throw RegistryException.versionNotSoftDeleted(subject, v.version());
            }
            SchemaReferences.refuseIfReferenced(state, v);
            return new Planned<>(List.of(new StoreRecord.SubjectVersionTombstone(subject, v.version())), v.version());
        }
        if (v.deleted()) {
            throw RegistryException.versionSoftDeleted(subject, v.version());
        }
        SchemaReferences.refuseIfReferenced(state, v); // Confluent refuses a soft delete of what is referenced too
        return new Planned<>(List.of(new StoreRecord.SubjectVersion(subject, v.version(), v.id(), true)), v.version());
    }

    /** Tests a candidate against one version, or against what the subject's level requires when {@code versionSpec} is null. */
    public static CompatibilityResult testCompatibility(RegistryState state, String subject, String versionSpec,
                                                        SchemaDefinition candidate) {
        ParsedSchema parsed = parse(state, candidate);
        NavigableMap<Integer, StoreRecord.SubjectVersion> versions = state.versions(subject);
        CompatibilityLevel level = state.effectiveLevel(subject);
        List<String> problems;
        if (versionSpec == null) {
            problems = level.check(parsed, liveSchemas(state, versions));
        } else {
            boolean noLiveVersion = versions.values().stream().allMatch(StoreRecord.SubjectVersion::deleted);
            if (noLiveVersion && isLatest(versionSpec)) {
                return new CompatibilityResult(true, List.of());
            }
            StoreRecord.SubjectVersion against = resolve(state, subject, versionSpec, false);
            problems = level.check(parsed, List.of(parsed(state, against.id())));
        }
        return new CompatibilityResult(problems.isEmpty(), problems);
    }

    public static SchemaDefinition schemaById(RegistryState state, int id) {
        return state.schemaById(id).orElseThrow(() -> RegistryException.schemaNotFound("id " + id));
    }

    public static List<VersionView> versionsOfId(RegistryState state, int id, boolean includeDeleted) {
        schemaById(state, id);
        List<VersionView> found = new ArrayList<>();
        for (StoreRecord.SubjectVersion v : state.allSubjectVersions()) {
            if (v.id() == id && (includeDeleted || !v.deleted())) {
                found.add(view(state, v));
            }
        }
        return found;
    }

    /** Global ids of the live schemas whose references point at this subject version. */
    public static List<Integer> referencedBy(RegistryState state, String subject, String versionSpec) {
        StoreRecord.SubjectVersion target = resolve(state, subject, versionSpec, false);
        return SchemaReferences.referrers(state, target).stream().map(StoreRecord.SubjectVersion::id).distinct().toList();
    }

    /** Parses a schema of any type with its references resolved; a bad schema is a 42201 naming the parser's complaint. */
    public static ParsedSchema parse(RegistryState state, SchemaDefinition definition) {
        if (!SchemaTypes.ALL.contains(definition.schemaType())) {
            throw RegistryException.invalidSchema("schema type '" + definition.schemaType()
                    + "' is not supported by this registry; supported types: " + SchemaTypes.ALL);
        }
        try {
            return SchemaTypes.parse(definition.schemaType(), definition.schema(),
                    SchemaReferences.texts(state, definition));
        } catch (IllegalArgumentException e) {
            throw RegistryException.invalidSchema(e.getMessage());
        }
    }

    static boolean isLatest(String versionSpec) {
        return LATEST.equalsIgnoreCase(versionSpec) || "-1".equals(versionSpec);
    }

    /** What the registry keeps: the type's canonical text, or with {@code ?normalize=true} its normalised one. */
    private static SchemaDefinition stored(SchemaDefinition submitted, ParsedSchema parsed, boolean normalize) {
        return new SchemaDefinition(submitted.schemaType(), normalize ? parsed.normalized() : parsed.canonical(),
                submitted.references());
    }

    private static StoreRecord.SubjectVersion resolve(RegistryState state, String subject, String versionSpec,
                                                      boolean includeDeleted) {
        int requested = parseVersion(versionSpec);
        NavigableMap<Integer, StoreRecord.SubjectVersion> versions = state.versions(subject);
        boolean anyVisible = versions.values().stream().anyMatch(v -> includeDeleted || !v.deleted());
        if (!anyVisible) {
            throw RegistryException.subjectNotFound(subject);
        }
        if (requested == -1) {
            for (StoreRecord.SubjectVersion v : versions.descendingMap().values()) {
                if (includeDeleted || !v.deleted()) {
                    return v;
                }
            }
        }
        StoreRecord.SubjectVersion v = versions.get(requested);
        if (v == null || (v.deleted() && !includeDeleted)) {
            throw RegistryException.versionNotFound(subject, requested);
        }
        return v;
    }

    /** "latest" and -1 give -1; positive integers give themselves; anything else is a 42202. */
    static int parseVersion(String versionSpec) {
        if (versionSpec == null || isLatest(versionSpec)) {
            return -1;
        }
        try {
            int v = Integer.parseInt(versionSpec);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the registry's own error
        }
        throw RegistryException.invalidVersion(versionSpec);
    }

    private static List<ParsedSchema> liveSchemas(RegistryState state, NavigableMap<Integer, StoreRecord.SubjectVersion> versions) {
        List<ParsedSchema> schemas = new ArrayList<>();
        for (StoreRecord.SubjectVersion v : versions.values()) {
            if (!v.deleted()) {
                schemas.add(parsed(state, v.id()));
            }
        }
        return schemas;
    }

    private static ParsedSchema parsed(RegistryState state, int id) {
        return state.parsedSchema(id, () -> parse(state, schemaById(state, id)));
    }

    static void refuseInvalidSubject(String subject) {
        for (int i = 0; i < subject.length(); i++) {
            if (Character.isISOControl(subject.charAt(i))) {
                throw RegistryException.invalidSubject(subject);
            }
        }
    }

    private static VersionView view(RegistryState state, StoreRecord.SubjectVersion v) {
        return new VersionView(v.subject(), v.version(), v.id(), schemaById(state, v.id()), v.deleted());
    }
}
