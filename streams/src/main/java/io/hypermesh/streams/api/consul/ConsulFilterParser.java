package io.hypermesh.streams.api.consul;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

import java.util.ArrayList;
import java.util.List;

/**
 * go-bexpr's grammar, by recursive descent: or of ands of nots of matches, with parentheses.
 * Nesting is bounded ({@link #MAX_DEPTH}), so a deep expression is a 400, not a stack overflow;
 * chains of and/or are flat lists, so evaluating a long one does not recurse either.
 */
final class ConsulFilterParser {
    /** Parentheses and nots nested deeper than this are refused; real filters use a handful. */
    static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;
    private int depth;
    private final List<List<String>> selectors = new ArrayList<>();

    ConsulFilterParser(String text) {
        this.text = text;
    }

    ConsulFilter.Node expression() {
        List<ConsulFilter.Node> any = new ArrayList<>(List.of(and()));
        while (keyword("or")) {
            any.add(and());
        }
        return any.size() == 1 ? any.get(0) : e -> {
            for (ConsulFilter.Node n : any) {
                if (n.test(e)) {
                    return true;
                }
            }
            return false;
        };
    }

    private ConsulFilter.Node and() {
        List<ConsulFilter.Node> all = new ArrayList<>(List.of(not()));
        while (keyword("and")) {
            all.add(not());
        }
        return all.size() == 1 ? all.get(0) : e -> {
            for (ConsulFilter.Node n : all) {
                if (!n.test(e)) {
                    return false;
                }
            }
            return true;
        };
    }

    private ConsulFilter.Node not() {
        enter();
        try {
            if (keyword("not")) {
                ConsulFilter.Node inner = not();
                return e -> !inner.test(e);
            }
            skipSpace();
            if (peek('(')) {
                pos++;
                ConsulFilter.Node inner = expression();
                skipSpace();
                if (!peek(')')) {
                    throw error("expected \")\"");
                }
                pos++;
                return inner;
            }
            return match();
        } finally {
            depth--;
        }
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error("the expression is nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private ConsulFilter.Node match() {
        skipSpace();
        int start = pos;
        // "value in Selector" starts with a value; everything else with a selector.
        if (peek('"') || peek('`') || startsValueIn()) {
            String value = value();
            boolean negated = keyword("not");
            if (!keyword("in")) {
                throw error("expected \"in\" or \"not in\" after a value");
            }
            return new ConsulFilter.Match(selector(), negated ? ConsulFilter.Op.NOT_IN : ConsulFilter.Op.IN, value, null);
        }
        if (atEnd()) {
            throw error("expected a selector");
        }
        List<String> selector = selector();
        skipSpace();
        if (text.startsWith("==", pos) || text.startsWith("!=", pos)) {
            ConsulFilter.Op op = text.charAt(pos) == '=' ? ConsulFilter.Op.EQ : ConsulFilter.Op.NE;
            pos += 2;
            return new ConsulFilter.Match(selector, op, value(), null);
        }
        if (keyword("is")) {
            boolean negated = keyword("not");
            if (!keyword("empty")) {
                throw error("expected \"empty\"");
            }
            return new ConsulFilter.Match(selector, negated ? ConsulFilter.Op.NOT_EMPTY : ConsulFilter.Op.EMPTY, null, null);
        }
        boolean negated = keyword("not");
        if (keyword("contains")) {
            return new ConsulFilter.Match(selector, negated ? ConsulFilter.Op.NOT_CONTAINS : ConsulFilter.Op.CONTAINS, value(), null);
        }
        if (keyword("matches")) {
            int at = pos;
            String pattern = value();
            try {
                return new ConsulFilter.Match(selector, negated ? ConsulFilter.Op.NOT_MATCHES : ConsulFilter.Op.MATCHES, pattern,
                        Pattern.compile(pattern));
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
        if (text.startsWith(word, pos) && (end == text.length() || !(Character.isLetterOrDigit(text.charAt(end))
                || text.charAt(end) == '_'))) {
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

    ConsulFilter.InvalidFilterException error(String reason) {
        return new ConsulFilter.InvalidFilterException("Failed to create boolean expression evaluator: 1:" + (pos + 1) + " (" + pos
                + "): " + reason);
    }

    List<List<String>> selectors() {
        return selectors;
    }
}
