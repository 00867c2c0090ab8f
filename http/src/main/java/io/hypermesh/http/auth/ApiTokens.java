package io.hypermesh.http.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Bearer tokens that may call the bus's HTTP write APIs (the query API's agent endpoints, the
 * adapters' inputs). With none configured, writes are open, as on a development bus; with any, a
 * write without one of them is answered 401. Tokens are kept only as SHA-256 digests and compared in constant time.
 */
public final class ApiTokens {
    static final int MIN_LENGTH = 16;
    private final List<byte[]> digests;

    private ApiTokens(List<byte[]> digests) {
        this.digests = digests;
    }

    /** No tokens: writes are open. */
    public static ApiTokens open() {
        return new ApiTokens(List.of());
    }

    public static ApiTokens of(Collection<String> tokens) {
        List<byte[]> digests = new ArrayList<>();
        for (String token : tokens) {
            if (token.length() < MIN_LENGTH) {
                throw new IllegalArgumentException("an API token must have at least " + MIN_LENGTH + " characters");
            }
            digests.add(digest(token));
        }
        return new ApiTokens(List.copyOf(digests));
    }

    /**
     * One token per line; blank lines and lines starting with '#' are skipped. A bad line refuses
     * the whole file, naming the file and line.
     */
    public static ApiTokens fromFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the API tokens: " + e.getMessage(), e);
        }
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.length() < MIN_LENGTH || line.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": an API token must be at least " + MIN_LENGTH
                        + " printable characters without spaces");
            }
            tokens.add(line);
        }
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException(file + ":1: no API token in the file (one per line)");
        }
        return of(tokens);
    }

    /** The tokens of a file, or {@link #open()} when there is none (a command line option not given). */
    public static ApiTokens fromFileOrOpen(Path file) {
        return file == null ? open() : fromFile(file);
    }

    public boolean required() {
        return !digests.isEmpty();
    }

    /** The answer to a request {@link #admits} refused: why, for a 401 body. */
    public static String refusal(String authorization) {
        return authorization == null ? "writes need an API token: Authorization: Bearer <token>"
                : "the API token is not one this bus accepts";
    }

    /** Whether an Authorization header value carries one of the tokens. */
    public boolean admits(String authorization) {
        if (!required()) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = digest(authorization.substring(7).strip());
        boolean match = false;
        for (byte[] d : digests) {
            match |= MessageDigest.isEqual(d, presented);
        }
        return match;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
