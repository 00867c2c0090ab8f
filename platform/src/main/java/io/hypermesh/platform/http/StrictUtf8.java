package io.hypermesh.platform.http;

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

    /** Refuses a string holding a surrogate that is not half of a pair; {@code what} names it in the message. */
    public static void refuseLoneSurrogates(String what, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " holds a lone UTF-16 surrogate (\\u"
                        + Integer.toHexString(c) + " at character " + i + "), which is not Unicode text");
            }
        }
    }

    /** Refuses lone surrogates in every string and field name of a JSON tree. */
    public static void refuseLoneSurrogates(com.fasterxml.jackson.databind.JsonNode root) {
        java.util.ArrayDeque<com.fasterxml.jackson.databind.JsonNode> pending = new java.util.ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            com.fasterxml.jackson.databind.JsonNode node = pending.pop();
            if (node.isTextual()) {
                refuseLoneSurrogates("a string of the request", node.textValue());
            }
            node.fieldNames().forEachRemaining(name -> refuseLoneSurrogates("a field name of the request", name));
            node.elements().forEachRemaining(pending::push);
        }
    }
}
