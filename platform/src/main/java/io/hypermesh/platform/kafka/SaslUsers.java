package io.hypermesh.platform.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The bus's Kafka users for SASL/PLAIN, one per principal, with random passwords kept in a folder
 * only the owner reads: {@code users.properties} for the broker, and one {@code <principal>.properties}
 * of client settings per principal for clients and Kafka's own tools ({@code --command-config}).
 * Created once and kept, so a restart on the same folder keeps every password.
 */
public final class SaslUsers {
    private static final String USERS = "users.properties";

    private final Path dir;
    private final Map<String, String> passwords;

    private SaslUsers(Path dir, Map<String, String> passwords) {
        this.dir = dir;
        this.passwords = Map.copyOf(passwords);
    }

    /** The users of {@code principals} in {@code dir}: read when there, created for those missing. */
    public static SaslUsers init(Path dir, List<String> principals) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path file = dir.resolve(USERS);
        Properties stored = new Properties();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                stored.load(in);
            }
        }
        Map<String, String> passwords = new LinkedHashMap<>();
        SecureRandom random = new SecureRandom();
        boolean changed = false;
        for (String principal : principals) {
            String password = stored.getProperty(principal);
            if (password == null) {
                byte[] bytes = new byte[24];
                random.nextBytes(bytes);
                password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
                stored.setProperty(principal, password);
                changed = true;
            }
            passwords.put(principal, password);
        }
        if (changed) {
            writePrivate(file, out -> stored.store(out, "SASL/PLAIN users of the bus's embedded broker"));
        }
        SaslUsers users = new SaslUsers(dir, passwords);
        for (String principal : principals) {
            // Plain key=value lines, not Properties.store: that escapes the '=' and ':' of the JAAS
            // line, which readers that split at the first '=' (ours, and many tools') keep as written.
            writePrivate(users.clientFile(principal), out -> {
                out.write("# Kafka client settings of " + principal + " on the bus's embedded broker\n");
                for (Map.Entry<String, Object> setting : new java.util.TreeMap<>(users.clientConfig(principal)).entrySet()) {
                    out.write(setting.getKey() + "=" + setting.getValue() + "\n");
                }
            });
        }
        return users;
    }

    private interface Body {
        void write(Writer out) throws IOException;
    }

    private static void writePrivate(Path file, Body body) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            body.write(out);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Client settings that authenticate as {@code principal}. */
    public Map<String, Object> clientConfig(String principal) {
        String password = passwords.get(principal);
        if (password == null) {
            throw new IllegalArgumentException("no Kafka user '" + principal + "' in " + dir);
        }
        Map<String, Object> c = new HashMap<>();
        c.put("security.protocol", "SASL_PLAINTEXT");
        c.put("sasl.mechanism", "PLAIN");
        c.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + principal + "\" password=\"" + password + "\";");
        return c;
    }

    /** The file of {@code principal}'s client settings, for {@code --kafka-config}. */
    public Path clientFile(String principal) {
        return dir.resolve(principal + ".properties");
    }

    /** The broker's JAAS line for a PLAIN listener: it logs in as {@code self} and knows every user. */
    String brokerJaas(String self) {
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"")
                .append(self).append("\" password=\"").append(passwords.get(self)).append('"');
        passwords.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
        return jaas.append(';').toString();
    }

    public Path dir() {
        return dir;
    }
}
