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
}
