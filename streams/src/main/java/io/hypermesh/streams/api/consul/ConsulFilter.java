package io.hypermesh.streams.api.consul;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Consul's {@code ?filter} expressions (the go-bexpr language) over the JSON an endpoint answers
 * with: {@code ==}, {@code !=}, {@code in}, {@code not in}, {@code contains}, {@code not contains},
 * {@code matches}, {@code not matches}, {@code is empty}, {@code is not empty}, joined with
 * {@code and}, {@code or}, {@code not} and parentheses. A selector names fields by their JSON
 * names ({@code Service.Tags}, {@code Service.Meta.env} or {@code Service.Meta["env"]}); through a
 * list it matches when any element does.
 */
public final class ConsulFilter implements Predicate<JsonObject> {
    private final Node root;
    private final List<List<String>> selectors;

    private ConsulFilter(Node root, List<List<String>> selectors) {
        this.root = root;
        this.selectors = selectors;
    }

    /** A problem with an expression, worded as Consul words it. */
    public static final class InvalidFilterException extends IllegalArgumentException {
        InvalidFilterException(String message) {
            super(message);
        }
    }

    /**
     * @param fields the top-level fields a selector may start with (the endpoint's JSON fields)
     * @throws InvalidFilterException for a bad expression (with its position) or an unknown selector
     */
    public static ConsulFilter parse(String expression, Collection<String> fields) {
        Parser parser = new Parser(expression);
        Node root = parser.expression();
        if (!parser.atEnd()) {
            throw parser.error("unexpected " + parser.peekText());
        }
        for (List<String> selector : parser.selectors) {
            if (!fields.contains(selector.get(0))) {
                throw new InvalidFilterException("Selector \"" + String.join(".", selector) + "\" is not valid");
            }
        }
        return new ConsulFilter(root, parser.selectors);
    }

    @Override
    public boolean test(JsonObject entry) {
        return root.test(entry);
    }

    /** The selectors the expression uses, each as its path. */
    public List<List<String>> selectors() {
        return selectors;
    }

    private interface Node extends Predicate<JsonObject> {
    }

    private enum Op { EQ, NE, IN, NOT_IN, CONTAINS, NOT_CONTAINS, MATCHES, NOT_MATCHES, EMPTY, NOT_EMPTY }

    private record Match(List<String> selector, Op op, String value, Pattern pattern) implements Node {
        @Override
        public boolean test(JsonObject entry) {
            List<Object> found = new ArrayList<>();
            resolve(entry, selector, 0, found);
            return switch (op) {
                case EQ -> found.stream().anyMatch(this::equalsValue);
                case NE -> found.stream().noneMatch(this::equalsValue);
                case IN, CONTAINS -> found.stream().anyMatch(this::holds);
                case NOT_IN, NOT_CONTAINS -> found.stream().noneMatch(this::holds);
                case MATCHES -> found.stream().anyMatch(v -> scalar(v) != null && pattern.matcher(scalar(v)).find());
                case NOT_MATCHES -> found.stream().noneMatch(v -> scalar(v) != null && pattern.matcher(scalar(v)).find());
                case EMPTY -> found.isEmpty() || found.stream().anyMatch(Match::empty);
                case NOT_EMPTY -> !found.isEmpty() && found.stream().noneMatch(Match::empty);
            };
        }

        private boolean equalsValue(Object v) {
            if (v instanceof JsonArray array) {
                return array.stream().anyMatch(this::equalsValue);
            }
            String s = scalar(v);
            if (s == null) {
                return false;
            }
            if (v instanceof Number n) {
                try {
                    return Double.parseDouble(value) == n.doubleValue();
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            return s.equals(value);
        }

        private boolean holds(Object v) {
            if (v instanceof JsonArray array) {
                return array.stream().anyMatch(e -> value.equals(scalar(e)));
            }
            if (v instanceof JsonObject object) {
                return object.containsKey(value);
            }
            String s = scalar(v);
            return s != null && s.contains(value);
        }

        private static boolean empty(Object v) {
            return v == null || (v instanceof String s && s.isEmpty()) || (v instanceof JsonArray a && a.isEmpty())
                    || (v instanceof JsonObject o && o.isEmpty());
        }

        private static String scalar(Object v) {
            return v instanceof String || v instanceof Number || v instanceof Boolean ? String.valueOf(v) : null;
        }

        private static void resolve(Object at, List<String> path, int i, List<Object> found) {
            if (i == path.size()) {
                found.add(at);
                return;
            }
            if (at instanceof JsonArray array) {
                array.forEach(e -> resolve(e, path, i, found));
            } else if (at instanceof JsonObject object && object.containsKey(path.get(i))) {
                resolve(object.getValue(path.get(i)), path, i + 1, found);
            }
        }
    }

    private static final class Parser {
        private final String text;
        private int pos;
        private final List<List<String>> selectors = new ArrayList<>();

        Parser(String text) {
            this.text = text;
        }

        Node expression() {
            Node left = and();
            while (keyword("or")) {
                Node l = left;
                Node r = and();
                left = e -> l.test(e) || r.test(e);
            }
            return left;
        }

        private Node and() {
            Node left = not();
            while (keyword("and")) {
                Node l = left;
                Node r = not();
                left = e -> l.test(e) && r.test(e);
            }
            return left;
        }

        private Node not() {
            if (keyword("not")) {
                Node inner = not();
                return e -> !inner.test(e);
            }
            skipSpace();
            if (peek('(')) {
                pos++;
                Node inner = expression();
                skipSpace();
                if (!peek(')')) {
                    throw error("expected \")\"");
                }
                pos++;
                return inner;
            }
            return match();
        }

        private Node match() {
            skipSpace();
            int start = pos;
            // "value in Selector" starts with a value; everything else with a selector.
            if (peek('"') || peek('`') || startsValueIn()) {
                String value = value();
                boolean negated = keyword("not");
                if (!keyword("in")) {
                    throw error("expected \"in\" or \"not in\" after a value");
                }
                return new Match(selector(), negated ? Op.NOT_IN : Op.IN, value, null);
            }
            if (atEnd()) {
                throw error("expected a selector");
            }
            List<String> selector = selector();
            skipSpace();
            if (text.startsWith("==", pos) || text.startsWith("!=", pos)) {
                Op op = text.charAt(pos) == '=' ? Op.EQ : Op.NE;
                pos += 2;
                return new Match(selector, op, value(), null);
            }
            if (keyword("is")) {
                boolean negated = keyword("not");
                if (!keyword("empty")) {
                    throw error("expected \"empty\"");
                }
                return new Match(selector, negated ? Op.NOT_EMPTY : Op.EMPTY, null, null);
            }
            boolean negated = keyword("not");
            if (keyword("contains")) {
                return new Match(selector, negated ? Op.NOT_CONTAINS : Op.CONTAINS, value(), null);
            }
            if (keyword("matches")) {
                int at = pos;
                String pattern = value();
                try {
                    return new Match(selector, negated ? Op.NOT_MATCHES : Op.MATCHES, pattern, Pattern.compile(pattern));
                } catch (PatternSyntaxException e) {
                    pos = at;
                    throw error("invalid regular expression: " + e.getDescription());
                }
            }
            pos = Math.max(pos, start);
            throw error("expected ==, !=, is empty, is not empty, contains, not contains, matches or not matches");
        }

        /** Whether a bare word here is followed by "in" / "not in", making it a value. */
        private boolean startsValueIn() {
            int save = pos;
            try {
                if (pos >= text.length() || !(Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '-')) {
                    return false;
                }
                bareWord();
                return keyword("in") || (keyword("not") && keyword("in"));
            } finally {
                pos = save;
            }
        }

        private List<String> selector() {
            skipSpace();
            List<String> path = new ArrayList<>();
            path.add(identifier());
            while (pos < text.length()) {
                if (peek('.')) {
                    pos++;
                    path.add(identifier());
                } else if (peek('[')) {
                    pos++;
                    skipSpace();
                    if (!peek('"') && !peek('`')) {
                        throw error("expected a quoted key inside [ ]");
                    }
                    path.add(value());
                    skipSpace();
                    if (!peek(']')) {
                        throw error("expected \"]\"");
                    }
                    pos++;
                } else {
                    break;
                }
            }
            selectors.add(path);
            return path;
        }

        private String identifier() {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_' || text.charAt(pos) == '-')) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a selector name");
            }
            return text.substring(start, pos);
        }

        private String value() {
            skipSpace();
            if (atEnd()) {
                throw error("expected a value");
            }
            char c = text.charAt(pos);
            if (c == '`') {
                int end = text.indexOf('`', pos + 1);
                if (end < 0) {
                    throw error("unterminated raw string");
                }
                String v = text.substring(pos + 1, end);
                pos = end + 1;
                return v;
            }
            if (c == '"') {
                StringBuilder v = new StringBuilder();
                pos++;
                while (pos < text.length() && text.charAt(pos) != '"') {
                    char ch = text.charAt(pos++);
                    if (ch == '\\' && pos < text.length()) {
                        char escaped = text.charAt(pos++);
                        v.append(switch (escaped) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            default -> escaped;
                        });
                    } else {
                        v.append(ch);
                    }
                }
                if (pos >= text.length()) {
                    throw error("unterminated string");
                }
                pos++;
                return v.toString();
            }
            return bareWord();
        }

        private String bareWord() {
            int start = pos;
            while (pos < text.length() && !Character.isWhitespace(text.charAt(pos)) && "()[]\"`".indexOf(text.charAt(pos)) < 0) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a value");
            }
            return text.substring(start, pos);
        }

        private boolean keyword(String word) {
            skipSpace();
            int end = pos + word.length();
            if (text.startsWith(word, pos) && (end == text.length() || !(Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_'))) {
                pos = end;
                return true;
            }
            return false;
        }

        private boolean peek(char c) {
            return pos < text.length() && text.charAt(pos) == c;
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        boolean atEnd() {
            skipSpace();
            return pos >= text.length();
        }

        String peekText() {
            return "\"" + text.substring(pos, Math.min(text.length(), pos + 10)) + "\"";
        }

        InvalidFilterException error(String reason) {
            return new InvalidFilterException("Failed to create boolean expression evaluator: 1:" + (pos + 1) + " (" + pos + "): " + reason);
        }
    }
}
