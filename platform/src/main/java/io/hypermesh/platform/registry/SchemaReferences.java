package io.hypermesh.platform.registry;

import io.hypermesh.schemas.format.SchemaTypes;
import io.hypermesh.schemas.registry.RegistryException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** References between schemas: resolving them for the parser, and who refers to a version. */
final class SchemaReferences {
    private SchemaReferences() {
    }

    /** The text of every schema a definition's references reach, by reference name, from the registry's state. */
    static Map<String, String> texts(RegistryState state, SchemaDefinition definition) {
        return SchemaTypes.referencedTexts(definition.text().references(), ref -> {
            StoreRecord.SubjectVersion v = state.versions(ref.subject()).get(ref.version());
            if (v == null) {
                throw RegistryException.invalidSchema("reference '" + ref.name() + "' points at subject '"
                        + ref.subject() + "' version " + ref.version() + ", which does not exist");
            }
            return SchemaRegistry.schemaById(state, v.id()).text();
        });
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
