package io.hypermesh.schemas.serde;

import org.apache.avro.specific.SpecificRecordBase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Initializes every class Avro generated for the bus, at once, on the thread that first trusts them
 * (the one that starts a bus or a client), not on whichever thread first decodes or builds one.
 * Each generated class keeps a static reader, and Avro's reader remembers the thread that created
 * it: made on a stream thread or an event loop, that static kept the dead thread, its Vert.x or its
 * topology, and so a stopped bus, reachable for the rest of the JVM (found with the test kit, whose
 * buses come and go in one JVM).
 */
final class GeneratedClasses {
    /** Where the generated classes are, as resource paths. */
    private static final List<String> PACKAGES = List.of("io/hypermesh/events/", "io/hypermesh/state/");

    private GeneratedClasses() {
    }

    static void initializeAll() {
        ClassLoader loader = GeneratedClasses.class.getClassLoader();
        for (String name : names()) {
            try {
                Class<?> type = Class.forName(name, false, loader);
                if (SpecificRecordBase.class.isAssignableFrom(type)) {
                    Class.forName(name, true, loader);
                }
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("generated class " + name + " cannot be loaded: " + e, e);
            }
        }
    }

    /** The top-level classes under {@link #PACKAGES}, from this module's jar or classes folder. */
    private static List<String> names() {
        List<String> names = new ArrayList<>();
        try {
            Path where = Path.of(GeneratedClasses.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(where)) {
                try (Stream<Path> files = Files.walk(where)) {
                    files.map(p -> where.relativize(p).toString().replace('\\', '/')).forEach(entry -> add(entry, names));
                }
            } else {
                try (JarFile jar = new JarFile(where.toFile())) {
                    jar.stream().map(JarEntry::getName).forEach(entry -> add(entry, names));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the generated classes: " + e.getMessage(), e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot list the generated classes: " + e.getMessage(), e);
        }
        return names;
    }

    private static void add(String entry, List<String> names) {
        if (entry.endsWith(".class") && !entry.contains("$") && PACKAGES.stream().anyMatch(entry::startsWith)) {
            names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
        }
    }
}
