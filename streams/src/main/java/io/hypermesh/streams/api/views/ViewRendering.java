package io.hypermesh.streams.api.views;

import io.hypermesh.streams.api.AnswerBudget;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Our own views as rendered for an answer. Their index is derived from their content, so it
 * changes exactly when the view changes and every instance gives the same index for the same view;
 * a client compares it for equality. Consul's views have real indexes instead.
 */
public final class ViewRendering {
    private ViewRendering() {
    }

    /** A rendered view; {@code scopes} are the changes it depends on, null for any change. */
    public record Rendered(String body, long index, List<String> scopes) {
    }

    /** A view that names what it depends on ({@code ChangeSignal} scopes). */
    public record Scoped(Object view, List<String> scopes) implements AnswerBudget.Wrapping {
    }

    public static Rendered render(Object view) {
        if (view instanceof Rendered already) {
            return already; // rendered once, shared by every client of the view
        }
        if (view instanceof Scoped scoped) {
            String body = scoped.view().toString();
            return new Rendered(body, indexOf(body), scoped.scopes());
        }
        String body = view.toString();
        return new Rendered(body, indexOf(body), null);
    }

    static long indexOf(String body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
            long index = 0;
            for (int i = 0; i < 8; i++) {
                index = (index << 8) | (digest[i] & 0xff);
            }
            // Positive and never 0, which clients use to mean "no index yet".
            return Math.max(1, index & Long.MAX_VALUE);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
