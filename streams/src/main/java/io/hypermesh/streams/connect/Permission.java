package io.hypermesh.streams.connect;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One L7 permission of an intention (Consul's IntentionPermission): an action for HTTP requests
 * whose path, method and headers match. Regexes run on RE2/J, in linear time, whoever wrote them.
 */
public record Permission(String action, String pathExact, String pathPrefix, Pattern pathRegex, List<String> methods,
                         List<Header> headers) {
    /** Longest regex taken; past it a pattern is refused rather than compiled. */
    public static final int MAX_REGEX = 1_024;
    public static final int MAX_HEADERS = 32;
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE");

    /** One header rule: exactly one of present, exact, prefix, suffix or regex, maybe inverted. */
    public record Header(String name, boolean present, String exact, String prefix, String suffix, Pattern regex, boolean invert) {
        boolean matches(Map<String, String> requestHeaders) {
            String value = requestHeaders.get(name.toLowerCase(java.util.Locale.ROOT));
            boolean hit;
            if (present) {
                hit = value != null;
            } else if (value == null) {
                hit = false;
            } else if (exact != null) {
                hit = value.equals(exact);
            } else if (prefix != null) {
                hit = value.startsWith(prefix);
            } else if (suffix != null) {
                hit = value.endsWith(suffix);
            } else {
                hit = regex.matches(value);
            }
            return hit != invert;
        }
    }

    /**
     * Checks a permission as Consul validates one, naming it as {@code Permissions[i]}.
     *
     * @throws IllegalArgumentException with Consul's reason
     */
    public static Permission of(int index, String action, String pathExact, String pathPrefix, String pathRegex,
                                List<String> methods, List<Header> headers) {
        String where = "Permissions[" + index + "]";
        if (!"allow".equals(action) && !"deny".equals(action)) {
            throw new IllegalArgumentException(where + ".Action must be set to 'allow' or 'deny'");
        }
        int paths = (pathExact != null ? 1 : 0) + (pathPrefix != null ? 1 : 0) + (pathRegex != null ? 1 : 0);
        if (paths > 1) {
            throw new IllegalArgumentException(where + ".HTTP should only contain at most one of PathExact, PathPrefix, or PathRegex");
        }
        if (pathExact != null && !pathExact.startsWith("/")) {
            throw new IllegalArgumentException(where + ".HTTP.PathExact doesn't start with '/': \"" + pathExact + "\"");
        }
        if (pathPrefix != null && !pathPrefix.startsWith("/")) {
            throw new IllegalArgumentException(where + ".HTTP.PathPrefix doesn't start with '/': \"" + pathPrefix + "\"");
        }
        for (String m : methods) {
            if (!METHODS.contains(m)) {
                throw new IllegalArgumentException(where + ".HTTP.Methods contains an invalid method \"" + m + "\"");
            }
        }
        if (headers.size() > MAX_HEADERS) {
            throw new IllegalArgumentException(where + ".HTTP.Header has " + headers.size() + " rules; at most " + MAX_HEADERS);
        }
        if (paths == 0 && methods.isEmpty() && headers.isEmpty()) {
            throw new IllegalArgumentException(where + ".HTTP should not be empty");
        }
        return new Permission(action, pathExact, pathPrefix, pathRegex == null ? null : regex(where + ".HTTP.PathRegex", pathRegex),
                List.copyOf(methods), List.copyOf(headers));
    }

    /** A header rule, checked as Consul checks one. */
    public static Header header(int permission, int index, String name, boolean present, String exact, String prefix, String suffix,
                                String regex, boolean invert) {
        String where = "Permissions[" + permission + "].HTTP.Header[" + index + "]";
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(where + " missing required Name field");
        }
        int set = (present ? 1 : 0) + (exact != null ? 1 : 0) + (prefix != null ? 1 : 0) + (suffix != null ? 1 : 0)
                + (regex != null ? 1 : 0);
        if (set != 1) {
            throw new IllegalArgumentException(where + " should only contain one of Present, Exact, Prefix, Suffix, or Regex");
        }
        return new Header(name, present, exact, prefix, suffix, regex == null ? null : regex(where + ".Regex", regex), invert);
    }

    private static Pattern regex(String where, String text) {
        if (text.length() > MAX_REGEX) {
            throw new IllegalArgumentException(where + " is " + text.length() + " characters; at most " + MAX_REGEX);
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(where + " is not a valid regex: " + e.getMessage());
        }
    }

    /** Whether an HTTP request matches: every criterion given must hold. Header names are looked up lower-cased. */
    public boolean matches(String method, String path, Map<String, String> requestHeaders) {
        if (pathExact != null && !pathExact.equals(path)) {
            return false;
        }
        if (pathPrefix != null && !path.startsWith(pathPrefix)) {
            return false;
        }
        if (pathRegex != null && !pathRegex.matches(path)) {
            return false;
        }
        if (!methods.isEmpty() && !methods.contains(method)) {
            return false;
        }
        for (Header h : headers) {
            if (!h.matches(requestHeaders)) {
                return false;
            }
        }
        return true;
    }
}
