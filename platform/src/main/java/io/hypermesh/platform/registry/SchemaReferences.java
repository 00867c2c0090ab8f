package io.hypermesh.platform.registry;

import io.hypermesh.schemas.registry.RegistryException;
import org.apache.avro.Schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** References between schemas: resolving them for the parser, and who refers to a version. */
final class SchemaReferences {
    private SchemaReferences() {
    }

    /** Parses every schema {@code references} names (theirs first) into {@code parser}, each once. */
    static void addTo(Schema.Parser parser, RegistryState state, List<SchemaReference> references, Set<String> seen) {
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
            addTo(parser, state, referenced.references(), seen);
            try {
                parser.parse(referenced.schema());
            } catch (RuntimeException e) {
                throw RegistryException.invalidSchema("reference '" + ref.name() + "': " + e.getMessage());
            }
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
