package io.hypermesh.streams.api.consul;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsulFilterTest {
    static final JsonObject ENTRY = new JsonObject("""
            {"Node": {"Node": "n1", "Meta": {}},
             "Service": {"ID": "web-1", "Service": "web", "Tags": ["blue", "v2"], "Port": 8080,
                         "Meta": {"version": "2", "team-name": "core"}},
             "Checks": [{"CheckID": "a", "Status": "passing", "Output": ""}, {"CheckID": "b", "Status": "critical", "Output": "down"}]}""");

    static boolean test(String expression) {
        return ConsulFilter.parse(expression, ConsulJson.ENTRY_FIELDS).test(ENTRY);
    }

    @Test
    void everyOperatorOfConsulsLanguage() {
        assertTrue(test("Service.Service == web"));
        assertTrue(test("Service.Service == \"web\""));
        assertTrue(test("Service.Service != `db`"));
        assertTrue(test("Service.Port == 8080"));
        assertTrue(test("\"blue\" in Service.Tags"));
        assertTrue(test("\"green\" not in Service.Tags"));
        assertTrue(test("Service.Tags contains v2"));
        assertTrue(test("Service.Tags not contains v3"));
        assertTrue(test("Service.ID matches \"^web-[0-9]+$\""));
        assertTrue(test("Service.ID not matches \"^db\""));
        assertTrue(test("Node.Meta is empty"));
        assertTrue(test("Service.Meta is not empty"));
        assertTrue(test("Service.Meta.version == \"2\""));
        assertTrue(test("Service.Meta[\"team-name\"] == core"));
        assertTrue(test("\"version\" in Service.Meta"), "in a map: a key");
    }

    @Test
    void andOrNotAndParenthesesCombineThemWithTheUsualPrecedence() {
        assertTrue(test("Service.Service == web and \"blue\" in Service.Tags"));
        assertFalse(test("Service.Service == db or Service.Port == 1"));
        assertTrue(test("Service.Service == db or Service.Port == 1 or Service.ID == web-1"));
        assertTrue(test("not Service.Service == db"));
        assertFalse(test("not (Service.Service == web and Service.Port == 8080)"));
        assertTrue(test("Service.Service == db or Service.Service == web and Service.Port == 8080"), "and binds tighter than or");
    }

    @Test
    void aSelectorThroughAListMatchesWhenAnyElementDoes() {
        assertTrue(test("Checks.Status == critical"));
        assertTrue(test("Checks.Status == passing"));
        assertFalse(test("Checks.Status == warning"));
        assertTrue(test("Checks.Output is empty"));
    }

    @Test
    void aBadExpressionIsRefusedWithItsPositionAndAnUnknownSelectorByName() {
        var missingValue = assertThrows(ConsulFilter.InvalidFilterException.class, () -> test("Service.Tags contains"));
        assertEquals("Failed to create boolean expression evaluator: 1:22 (21): expected a value", missingValue.getMessage());
        var unclosed = assertThrows(ConsulFilter.InvalidFilterException.class, () -> test("(Service.ID == a"));
        assertTrue(unclosed.getMessage().contains("1:17 (16)"), unclosed.getMessage());
        var operator = assertThrows(ConsulFilter.InvalidFilterException.class, () -> test("Service.ID ~ a"));
        assertTrue(operator.getMessage().contains("1:12 (11)"), operator.getMessage());
        var regex = assertThrows(ConsulFilter.InvalidFilterException.class, () -> test("Service.ID matches \"(\""));
        assertTrue(regex.getMessage().contains("invalid regular expression"), regex.getMessage());
        var selector = assertThrows(ConsulFilter.InvalidFilterException.class,
                () -> ConsulFilter.parse("Nope == x", Set.of("Service")));
        assertEquals("Selector \"Nope\" is not valid", selector.getMessage());
    }

    @Test
    void nestingIsBoundedWhileLongFlatChainsAreNot() {
        String deepest = "(".repeat(ConsulFilterParser.MAX_DEPTH - 1) + "Service.ID == web-1"
                + ")".repeat(ConsulFilterParser.MAX_DEPTH - 1);
        assertTrue(test(deepest));
        String deeper = "(" + deepest + ")";
        ConsulFilter.InvalidFilterException e = assertThrows(ConsulFilter.InvalidFilterException.class, () -> test(deeper));
        assertTrue(e.getMessage().contains("nested deeper than " + ConsulFilterParser.MAX_DEPTH), e.getMessage());
        assertThrows(ConsulFilter.InvalidFilterException.class, () -> test("not ".repeat(ConsulFilterParser.MAX_DEPTH + 1)
                + "Service.ID == x"));
        // Ten thousand terms evaluate without recursing once per term.
        assertTrue(test(String.join(" or ", java.util.Collections.nCopies(10_000, "Service.ID == x")) + " or Service.ID == web-1"));
        assertFalse(test(String.join(" and ", java.util.Collections.nCopies(10_000, "Service.Port == 8080")) + " and Service.Port == 1"));
    }

    @Test
    void matchesIsRe2() {
        JsonObject entry = ENTRY.copy();
        entry.getJsonObject("Service").put("ID", "a".repeat(40) + "!");
        // java.util.regex backtracks for minutes on this; RE2 answers in linear time (ApiBulkheadsIT times it).
        assertFalse(ConsulFilter.parse("Service.ID matches \"(.*a){10}$\"", ConsulJson.ENTRY_FIELDS).test(entry));
        assertThrows(ConsulFilter.InvalidFilterException.class, () -> test("Service.ID matches \"(?=web)\""),
                "RE2 has no lookahead, as Go's regexp has none");
    }
}
