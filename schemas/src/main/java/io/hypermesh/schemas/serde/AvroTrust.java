package io.hypermesh.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12.2 only instantiates classes from trusted packages when it resolves a schema to a
 * generated class. Our generated events live under io.hypermesh, so trust that package once,
 * keeping whatever else the application already trusts. The contract installs it itself, from the
 * topic catalog and the serdes: callers never need to. It initializes them there too (see
 * {@link GeneratedClasses}).
 */
public final class AvroTrust {
    private static boolean installed;

    private AvroTrust() {
    }

    public static synchronized void install() {
        if (!installed) {
            ClassSecurityValidator.ClassSecurityPredicate ours = type -> type.getName().startsWith("io.hypermesh.");
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), ours));
            installed = true;
            GeneratedClasses.initializeAll();
        }
    }
}
