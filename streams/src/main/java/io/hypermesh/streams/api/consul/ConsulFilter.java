package io.hypermesh.streams.api.consul;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import com.google.re2j.Pattern;

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
        ConsulFilterParser parser = new ConsulFilterParser(expression);
        Node root = parser.expression();
        if (!parser.atEnd()) {
            throw parser.error("unexpected " + parser.peekText());
        }
        for (List<String> selector : parser.selectors()) {
            if (!fields.contains(selector.get(0))) {
                throw new InvalidFilterException("Selector \"" + String.join(".", selector) + "\" is not valid");
            }
        }
        return new ConsulFilter(root, parser.selectors());
    }

    @Override
    public boolean test(JsonObject entry) {
        return root.test(entry);
    }

    /** The selectors the expression uses, each as its path. */
    public List<List<String>> selectors() {
        return selectors;
    }

    interface Node extends Predicate<JsonObject> {
    }

    enum Op { EQ, NE, IN, NOT_IN, CONTAINS, NOT_CONTAINS, MATCHES, NOT_MATCHES, EMPTY, NOT_EMPTY }

    record Match(List<String> selector, Op op, String value, Pattern pattern) implements Node {
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
}
