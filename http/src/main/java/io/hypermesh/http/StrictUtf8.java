package io.hypermesh.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Request text decoded as UTF-8 without repair. A lenient decoder turns bad bytes into U+FFFD, so
 * what is stored is not what was sent; and a JSON escape can name half of a surrogate pair, which
 * no UTF-8 encoder can write back. Both are refused with the place where they occur.
 */
public final class StrictUtf8 {
    private StrictUtf8() {
    }

    /** The bytes as text; an {@link IllegalArgumentException} naming the byte offset when they are not UTF-8. */
    public static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            return decoder.decode(in).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the request body is not valid UTF-8 (at byte " + in.position() + ")");
        }
    }

    /** Refuses lone surrogates in every string and field name of a JSON tree. */
    public static void refuseLoneSurrogates(com.fasterxml.jackson.databind.JsonNode root) {
        java.util.ArrayDeque<com.fasterxml.jackson.databind.JsonNode> pending = new java.util.ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            com.fasterxml.jackson.databind.JsonNode node = pending.pop();
            if (node.isTextual()) {
                refuseLoneSurrogates(node.textValue());
            }
            node.fieldNames().forEachRemaining(StrictUtf8::refuseLoneSurrogates);
            node.elements().forEachRemaining(pending::push);
        }
    }

    /** The registrations' own check (a lone surrogate, as a JSON escape can make, is not Unicode). */
    private static void refuseLoneSurrogates(String text) {
        String problem = io.hypermesh.schemas.events.Registrations.unicodeProblem(text);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }
}
