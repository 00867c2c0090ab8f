package io.hypermesh.adapters.security;

import io.hypermesh.adapters.InvalidInputException;
import io.hypermesh.events.security.SecurityEngine;
import io.hypermesh.events.security.Severity;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecurityInputTest {
    static final String FALCO = """
            {"hostname":"node-7","output":"10:01:02.5: Warning Sensitive file opened for reading (user=root file=/etc/shadow)",
             "priority":"Warning","rule":"Read sensitive file untrusted","source":"syscall","tags":["filesystem","mitre_credential_access"],
             "time":"2026-11-25T10:01:02.500000000Z",
             "output_fields":{"container.id":"3ad7b26ded6d","fd.name":"/etc/shadow","proc.cmdline":"cat /etc/shadow",
                              "evt.time":1795600862500000000}}
            """;

    @Test
    void aFalcoAlertKeepsRuleSeverityHostContainerAndProcess() {
        SecurityInput.Alert a = SecurityInput.falco(FALCO);
        assertEquals(SecurityEngine.FALCO, a.alert().getEngine());
        assertEquals("Read sensitive file untrusted", a.alert().getRule());
        assertEquals(Severity.WARNING, a.alert().getSeverity());
        assertEquals("node-7", a.alert().getHost());
        assertEquals("3ad7b26ded6d", a.alert().getContainerId());
        assertEquals("cat /etc/shadow", a.alert().getProcess());
        assertEquals("/etc/shadow", a.alert().getFields().get("fd.name"));
        assertEquals("1795600862500000000", a.alert().getFields().get("evt.time"));
        assertEquals("filesystem,mitre_credential_access", a.alert().getFields().get("falco.tags"));
        assertEquals(Instant.parse("2026-11-25T10:01:02.5Z"), a.at());
        assertEquals("node-7", a.key());
    }

    @Test
    void everyFalcoPriorityMapsAndHostMeansNoContainer() {
        assertEquals(Severity.CRITICAL, SecurityInput.falcoPriority("Critical"));
        assertEquals(Severity.INFORMATIONAL, SecurityInput.falcoPriority("info"));
        assertEquals(Severity.EMERGENCY, SecurityInput.falcoPriority("EMERGENCY"));
        SecurityInput.Alert a =
                SecurityInput.falco("{\"rule\":\"r\",\"priority\":\"Notice\",\"output\":\"o\",\"output_fields\":{\"container.id\":\"ho"
                        + "st\"}}");
        assertNull(a.alert().getContainerId());
        assertEquals("unknown-host", a.key());
    }

    @Test
    void malformedFalcoInputSaysWhatIsWrong() {
        assertTrue(assertThrows(InvalidInputException.class, () -> SecurityInput.falco("{not json")).getMessage().startsWith("not JSON"));
        assertTrue(assertThrows(InvalidInputException.class, () -> SecurityInput.falco("[1,2]")).getMessage().contains("JSON object"));
        assertEquals("'rule' must be a non-empty string (missing)",
                assertThrows(InvalidInputException.class, () ->
                        SecurityInput.falco("{\"priority\":\"Warning\",\"output\":\"x\"}")).getMessage());
        assertTrue(assertThrows(InvalidInputException.class, () ->
                SecurityInput.falco("{\"rule\":\"r\",\"priority\":\"Loud\",\"output\":\"x\"}"))
                .getMessage().contains("not a Falco priority"));
        assertTrue(assertThrows(InvalidInputException.class, () -> SecurityInput.falco(
                "{\"rule\":\"r\",\"priority\":\"Warning\",\"output\":\"x\",\"time\":\"yesterday\"}")).getMessage().contains("ISO-8601"));
        assertThrows(InvalidInputException.class, () ->
                SecurityInput.falco("{\"rule\":\"r\",\"priority\":\"Warning\",\"output\":\"x\",\"output_fields\":3}"));
    }

    static final String TETRAGON_KPROBE = "{\"process_kprobe\":{\"process\":{\"exec_id\":\"a2luZDo3NjA1\",\"pid\":52699,\"uid\":0,"
            + "\"binary\":\"/usr/bin/cat\",\"arguments\":\"/etc/passwd\",\"docker\":\"5517e2a1\",\"pod\":{\"namespace\":\"defaul"
                    + "t\",\"name\":\"xwing\"}},"
            + "\"function_name\":\"security_file_permission\",\"policy_name\":\"file-monitoring\",\"action\":\"KPROBE_ACTION_SIGKILL\"},"
            + "\"node_name\":\"kind-worker\",\"time\":\"2026-11-25T10:02:03.000000001Z\"}";

    @Test
    void tetragonPolicyEventsAreWarningsOrCriticalWhenEnforced() {
        SecurityInput.Alert a = SecurityInput.tetragon(TETRAGON_KPROBE);
        assertEquals(SecurityEngine.TETRAGON, a.alert().getEngine());
        assertEquals("file-monitoring", a.alert().getRule());
        assertEquals(Severity.CRITICAL, a.alert().getSeverity());
        assertEquals("/usr/bin/cat /etc/passwd", a.alert().getProcess());
        assertEquals("5517e2a1", a.alert().getContainerId());
        assertEquals("kind-worker", a.key());
        assertEquals("xwing", a.alert().getFields().get("pod.name"));
        assertEquals(Severity.WARNING, SecurityInput.tetragon(TETRAGON_KPROBE.replace("KPROBE_ACTION_SIGKILL",
                "KPROBE_ACTION_POST")).alert().getSeverity());
        SecurityInput.Alert exec =
                SecurityInput.tetragon("{\"process_exec\":{\"process\":{\"binary\":\"/usr/bin/curl\",\"arguments\":\"https://ebpf.io\"}},"
                + "\"node_name\":\"n1\",\"time\":\"2026-11-25T10:00:00Z\"}");
        assertEquals(Severity.INFORMATIONAL, exec.alert().getSeverity());
        assertEquals("process_exec", exec.alert().getRule());
    }

    @Test
    void malformedTetragonLinesSayWhatIsWrong() {
        assertTrue(assertThrows(InvalidInputException.class, () ->
                SecurityInput.tetragon("{\"node_name\":\"n\"}")).getMessage().startsWith("no Tetragon event"));
        assertTrue(assertThrows(InvalidInputException.class, () -> SecurityInput.tetragon("{\"process_exec\":{},\"process_exit\":{}}"))
                .getMessage().startsWith("more than one"));
        assertThrows(InvalidInputException.class, () -> SecurityInput.tetragon("{\"process_exec\":\"x\"}"));
        assertThrows(InvalidInputException.class, () -> SecurityInput.tetragon("{\"process_exec\":{} trailing"));
    }

    @Test
    void tetragonFieldsOfTheWrongTypeAreRefusedAndANullActionIsNoAction() {
        // Found by JsonIngestionFuzzTest: both failed with a NullPointerException or ClassCastException.
        SecurityInput.Alert noAction = SecurityInput.tetragon(TETRAGON_KPROBE.replace("\"KPROBE_ACTION_SIGKILL\"", "null"));
        assertEquals(Severity.WARNING, noAction.alert().getSeverity());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> SecurityInput.tetragon(TETRAGON_KPROBE.replace("\"/usr/bin/cat\"", "5")));
        assertTrue(e.getMessage().contains("'binary' must be text"), e.getMessage());
    }
}
