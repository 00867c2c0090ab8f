package io.hypermesh.platform.registry;

import io.hypermesh.schemas.registry.RegistryException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** References between schemas: resolving them for the parser, and who refers to a version. */
final class SchemaReferences {
    private SchemaReferences() {
    }

    /**
     * The text of every schema {@code references} reaches, by reference name, each once and its own
     * references before it (the order an Avro parser needs).
     */
    static Map<String, String> texts(RegistryState state, List<SchemaReference> references) {
        Map<String, String> texts = new LinkedHashMap<>();
        collect(state, references, texts, new HashSet<>());
        return texts;
    }

    private static void collect(RegistryState state, List<SchemaReference> references, Map<String, String> texts, Set<String> seen) {
        for (SchemaReference ref : references) {
            if (!seen.add(ref.subject() + '/' + ref.version())) {
                continue;
            }
            StoreRecord.SubjectVersion v = state.versions(ref.subject()).get(ref.version());
            if (v == null) {
                throw RegistryException.invalidSchema("reference '" + ref.name() + "' points at subject '"
                        + ref.subject() + "' version " + ref.version() + ", which does not exist");
            }
            SchemaDefinition referenced = SchemaRegistry.schemaById(state, v.id());
            collect(state, referenced.references(), texts, seen);
            texts.putIfAbsent(ref.name(), referenced.schema());
        }
    }

    /** The live subject versions whose schema refers to {@code target}. */
    static List<StoreRecord.SubjectVersion> referrers(RegistryState state, StoreRecord.SubjectVersion target) {
        List<StoreRecord.SubjectVersion> found = new ArrayList<>();
        for (StoreRecord.SubjectVersion v : state.allSubjectVersions()) {
            if (v.deleted()) {
                continue;
            }
            for (SchemaReference ref : SchemaRegistry.schemaById(state, v.id()).references()) {
                if (ref.subject().equals(target.subject()) && ref.version() == target.version()) {
                    found.add(v);
                }
            }
        }
        return found;
    }

    /** Confluent's 42206: a version others refer to cannot be deleted. */
    static void refuseIfReferenced(RegistryState state, StoreRecord.SubjectVersion v) {
        if (!referrers(state, v).isEmpty()) {
            throw RegistryException.referenceExists(v.subject(), v.version());
        }
    }
}
