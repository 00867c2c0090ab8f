package io.hypermesh.adapters.audit;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checkpoint signing keys on disk: the private key {@code <id>.key} as 64 hex digits (the Ed25519
 * seed) readable by its owner only, the public key beside it in {@code <id>.pub}. Verifiers trust
 * public keys.
 */
public final class AuditKeys {
    private AuditKeys() {
    }

    /** The key in the file, or a new one written there (with its .pub) when the file does not exist. */
    public static Ed25519PrivateKeyParameters loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(hex(file, Ed25519PrivateKeyParameters.KEY_SIZE), 0);
                // A key made before public keys were named <id>.pub has its public half written now.
                if (!Files.exists(publicFileOf(file))) {
                    Files.writeString(publicFileOf(file), HexFormat.of().formatHex(key.generatePublicKey().getEncoded()) + "\n");
                }
                return key;
            }
            Ed25519PrivateKeyParameters key = AuditTrail.newKey();
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            // Written aside, then hard-linked into place: of processes creating the same key at once,
            // exactly one wins and the others read its key.
            Path privateTmp = Files.createTempFile(dir, ".audit-key", ".tmp");
            Path publicTmp = Files.createTempFile(dir, ".audit-key", ".pub.tmp");
            try {
                try {
                    Files.setPosixFilePermissions(privateTmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // a file system without owners: nothing to narrow
                }
                Files.writeString(privateTmp, HexFormat.of().formatHex(key.getEncoded()) + "\n");
                Files.writeString(publicTmp, HexFormat.of().formatHex(key.generatePublicKey().getEncoded()) + "\n");
                try {
                    Files.createLink(file, privateTmp);
                } catch (java.nio.file.FileAlreadyExistsException lost) {
                    return loadOrCreate(file);
                }
                Files.move(publicTmp, publicFileOf(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return key;
            } finally {
                Files.deleteIfExists(privateTmp);
                Files.deleteIfExists(publicTmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use audit key " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code <id>.pub} beside {@code <id>.key} (or beside any other name, with .pub added). */
    public static Path publicFileOf(Path privateKeyFile) {
        String name = privateKeyFile.getFileName().toString();
        return privateKeyFile.resolveSibling((name.endsWith(".key") ? name.substring(0, name.length() - 4) : name) + ".pub");
    }

    /** The public keys in a folder ({@code *.pub}), the ones `audit verify` trusts unless told others. */
    public static List<Path> publicKeysIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".pub")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list public keys in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Trusted public keys by key id, from .pub files (a private key file is accepted too: its public half is used). */
    public static Map<String, Ed25519PublicKeyParameters> trusted(List<Path> files) {
        Map<String, Ed25519PublicKeyParameters> keys = new LinkedHashMap<>();
        for (Path f : files) {
            Ed25519PublicKeyParameters key = f.getFileName().toString().endsWith(".pub")
                    ? new Ed25519PublicKeyParameters(hex(f, Ed25519PublicKeyParameters.KEY_SIZE), 0)
                    : new Ed25519PrivateKeyParameters(hex(f, Ed25519PrivateKeyParameters.KEY_SIZE), 0).generatePublicKey();
            keys.put(keyId(key), key);
        }
        return keys;
    }

    public static String keyId(Ed25519PublicKeyParameters key) {
        byte[] digest = AuditTrail.sha256().digest(key.getEncoded());
        return HexFormat.of().formatHex(digest, 0, 8);
    }

    private static byte[] hex(Path file, int size) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            byte[] bytes = HexFormat.of().parseHex(text);
            if (bytes.length != size) {
                throw new IllegalArgumentException(file + ": expected " + size + " bytes of hex, found " + bytes.length);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read audit key " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": not an Ed25519 key in hex: " + e.getMessage(), e);
        }
    }
}
