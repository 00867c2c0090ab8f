package io.hypermesh.streams.api.kv;

import io.hypermesh.http.StrictUtf8;
import io.hypermesh.streams.api.ApiException;
import io.vertx.ext.web.RoutingContext;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** What KV requests share: the key from the path (percent-decoded, as Go's URL.Path), Consul's flag rules. */
final class KvPaths {
    private KvPaths() {
    }

    /** The key after {@code prefix} in the request's path, decoded; bounded and free of NUL (the stores' separator). */
    static String key(RoutingContext ctx, String prefix) {
        String raw = ctx.request().path();
        String key = decode(raw.length() <= prefix.length() ? "" : raw.substring(prefix.length()));
        if (key.getBytes(StandardCharsets.UTF_8).length > KvEndpoints.MAX_KEY_BYTES) {
            throw ApiException.badRequest("key is longer than " + KvEndpoints.MAX_KEY_BYTES + " bytes");
        }
        if (key.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest("key contains a NUL character");
        }
        return key;
    }

    static String decode(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%') {
                if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0 || Character.digit(path.charAt(i + 2), 16) < 0) {
                    throw ApiException.badRequest("invalid URL escape \"" + path.substring(i, Math.min(path.length(), i + 3)) + "\"");
                }
                bytes.write(Character.digit(path.charAt(i + 1), 16) * 16 + Character.digit(path.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < path.length()) {
                    b = path.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.write(b, 0, b.length);
            }
        }
        try {
            return StrictUtf8.decode(bytes.toByteArray());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("the key is not UTF-8");
        }
    }

    /** Consul's 400 for flags that do not go together, naming the query as Go encodes it (sorted). */
    static void refuseConflicting(RoutingContext ctx, String... flags) {
        int found = 0;
        for (String flag : flags) {
            if (ctx.request().params().contains(flag)) {
                found++;
            }
        }
        if (found > 1) {
            TreeMap<String, List<String>> sorted = new TreeMap<>();
            ctx.request().params().forEach(e -> sorted.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            List<String> pairs = new ArrayList<>();
            sorted.forEach((k, vs) -> vs.forEach(v -> pairs.add(encode(k) + "=" + encode(v))));
            throw ApiException.badRequest("Conflicting flags: " + String.join("&", pairs) + "\n");
        }
    }

    /** A uint64 as Go's strconv.ParseUint reads it; its error text otherwise. */
    static long unsigned(String text) {
        try {
            return Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("strconv.ParseUint: parsing \"" + text + "\": invalid syntax");
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
