package io.hypermesh.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoBoolTest {
    @Test
    void readsWhatGoReadsAndRefusesTheRest() {
        for (String t : new String[] {"1", "t", "T", "TRUE", "true", "True"}) {
            assertTrue(GoBool.parse(t), t);
        }
        for (String f : new String[] {"0", "f", "F", "FALSE", "false", "False"}) {
            assertFalse(GoBool.parse(f), f);
        }
        for (String bad : new String[] {"", "yes", "tRuE", "2", " true", "on"}) {
            assertThrows(IllegalArgumentException.class, () -> GoBool.parse(bad), bad);
        }
    }
}
