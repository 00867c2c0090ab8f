package io.hypermesh.platform.registry;

import io.hypermesh.schemas.format.ParsedSchema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The registry's state, rebuilt by applying {@link StoreRecord}s in log order. Not thread-safe:
 * the owning store serialises access.
 */
public final class RegistryState {
    private final Map<Integer, SchemaDefinition> schemasById = new HashMap<>();
    // Concurrent: filled lazily by readers holding only a read lock.
    private final Map<Integer, ParsedSchema> parsedById = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Integer> idsByIdentity = new HashMap<>();
    private final Map<String, TreeMap<Integer, StoreRecord.SubjectVersion>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel;
    private final Map<String, String> subjectModes = new HashMap<>();
    private String globalMode;
    private int maxId;

    public void apply(StoreRecord record) {
        // Java 17: no pattern matching for switch yet.
        if (record instanceof StoreRecord.SchemaId r) {
            schemasById.put(r.id(), r.definition());
            idsByIdentity.putIfAbsent(r.definition().identity(r.definition().schema()), r.id());
            maxId = Math.max(maxId, r.id());
        } else if (record instanceof StoreRecord.SubjectVersion r) {
            subjects.computeIfAbsent(r.subject(), s -> new TreeMap<>()).put(r.version(), r);
        } else if (record instanceof StoreRecord.SubjectVersionTombstone r) {
            TreeMap<Integer, StoreRecord.SubjectVersion> versions = subjects.get(r.subject());
            if (versions != null) {
                versions.remove(r.version());
                if (versions.isEmpty()) {
                    subjects.remove(r.subject());
                }
            }
        } else if (record instanceof StoreRecord.Mode r) {
            if (r.subject() == null) {
                globalMode = r.mode();
            } else if (r.mode() == null) {
                subjectModes.remove(r.subject());
            } else {
                subjectModes.put(r.subject(), r.mode());
            }
        } else if (record instanceof StoreRecord.Config r) {
            if (r.subject() == null) {
                globalLevel = r.level();
            } else if (r.level() == null) {
                subjectLevels.remove(r.subject());
            } else {
                subjectLevels.put(r.subject(), r.level());
            }
        }
    }

    public Optional<SchemaDefinition> schemaById(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    /** The global id of a schema with this identity (see {@link SchemaDefinition}), if any. */
    Optional<Integer> idFor(String identity) {
        return Optional.ofNullable(idsByIdentity.get(identity));
    }

    /** Parsed form of a global id's schema, parsed once: ids never change what they name. */
    ParsedSchema parsedSchema(int id, java.util.function.Supplier<ParsedSchema> parse) {
        ParsedSchema cached = parsedById.get(id);
        if (cached == null) {
            cached = parse.get();
            ParsedSchema raced = parsedById.putIfAbsent(id, cached);
            return raced == null ? cached : raced;
        }
        return cached;
    }

    /**
     * The id for a new schema: one past the largest, as Confluent hands them out. Once an import has
     * taken the top of the range, the lowest id never handed out; ids are never reused, because a
     * schema's id record outlives every delete, so a gap is an id nobody was ever given.
     */
    int nextId() {
        if (maxId < Integer.MAX_VALUE) {
            return maxId + 1;
        }
        for (int id = 1; id < Integer.MAX_VALUE; id++) {
            if (!schemasById.containsKey(id)) {
                return id;
            }
        }
        throw io.hypermesh.schemas.registry.RegistryException.operationNotPermitted(
                "every schema id from 1 to " + Integer.MAX_VALUE + " is taken");
    }

    public List<String> subjects(boolean includeDeleted) {
        List<String> names = new ArrayList<>();
        subjects.forEach((name, versions) -> {
            if (includeDeleted || versions.values().stream().anyMatch(v -> !v.deleted())) {
                names.add(name);
            }
        });
        return names;
    }

    /** All versions of a subject, soft-deleted ones included, oldest first; empty if unknown. */
    NavigableMap<Integer, StoreRecord.SubjectVersion> versions(String subject) {
        TreeMap<Integer, StoreRecord.SubjectVersion> versions = subjects.get(subject);
        return versions == null ? new TreeMap<>() : versions;
    }

    List<StoreRecord.SubjectVersion> allSubjectVersions() {
        List<StoreRecord.SubjectVersion> all = new ArrayList<>();
        subjects.values().forEach(v -> all.addAll(v.values()));
        return all;
    }

    Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    CompatibilityLevel globalLevel() {
        return globalLevel == null ? CompatibilityLevel.DEFAULT : globalLevel;
    }

    CompatibilityLevel effectiveLevel(String subject) {
        return subjectLevel(subject).orElse(globalLevel());
    }

    Optional<String> subjectMode(String subject) {
        return Optional.ofNullable(subjectModes.get(subject));
    }

    String globalMode() {
        return globalMode == null ? "READWRITE" : globalMode;
    }

    /** The mode a subject is in: its own, else the global one. */
    String modeInScope(String subject) {
        return subject == null ? globalMode() : subjectMode(subject).orElse(globalMode());
    }
}
