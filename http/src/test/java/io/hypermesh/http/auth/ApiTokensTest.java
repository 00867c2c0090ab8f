package io.hypermesh.http.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiTokensTest {
    static final String TOKEN = "s3cret-token-for-writes";

    @Test
    void withoutTokensWritesAreOpenWithTokensOnlyABearerOfOneOfThemIsAdmitted() {
        assertTrue(ApiTokens.open().admits(null));
        ApiTokens tokens = ApiTokens.of(List.of(TOKEN, "another-token-0123456789"));
        assertTrue(tokens.required());
        assertTrue(tokens.admits("Bearer " + TOKEN));
        assertTrue(tokens.admits("bearer another-token-0123456789"), "the scheme is case-insensitive");
        assertFalse(tokens.admits(null));
        assertFalse(tokens.admits(TOKEN), "no scheme");
        assertFalse(tokens.admits("Basic " + TOKEN));
        assertFalse(tokens.admits("Bearer " + TOKEN + "x"));
        assertFalse(tokens.admits("Bearer "));
    }

    @Test
    void aTokenFileSkipsCommentsAndRefusesABadLineWithFileAndLine(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("tokens");
        Files.writeString(good, "# writers\n\n" + TOKEN + "\n");
        assertTrue(ApiTokens.fromFile(good).admits("Bearer " + TOKEN));

        Path shortToken = dir.resolve("short");
        Files.writeString(shortToken, TOKEN + "\ntoo-short\n");
        assertEquals(shortToken + ":2: an API token must be at least 16 printable characters without spaces",
                assertThrows(IllegalArgumentException.class, () -> ApiTokens.fromFile(shortToken)).getMessage());
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "# nothing\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ApiTokens.fromFile(empty)).getMessage().startsWith(empty
                + ":1: no API token"));
        assertTrue(assertThrows(java.io.UncheckedIOException.class, () -> ApiTokens.fromFile(dir.resolve("missing"))).getMessage()
                .contains("cannot read the API tokens"));
    }
}
