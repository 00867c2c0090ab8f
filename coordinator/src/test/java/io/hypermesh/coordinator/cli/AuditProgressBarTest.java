package io.hypermesh.coordinator.cli;

import io.hypermesh.adapters.audit.AuditLog;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AuditProgressBarTest {

    @Test
    void onATerminalTheBarRedrawsInPlaceAndEndsOnItsOwnLine() {
        StringWriter text = new StringWriter();
        AuditLog.Progress bar = AuditCommand.bar(new PrintWriter(text), "verify", true);
        bar.at(50, 100);
        bar.at(50, 100);
        bar.at(100, 100);
        assertEquals("\rverify [##########..........]  50% 50/100 offsets\rverify [####################] 100% 100/100 offsets"
                + System.lineSeparator(), text.toString());
    }

    @Test
    void elsewhereItPrintsNothing() {
        StringWriter text = new StringWriter();
        AuditLog.Progress bar = AuditCommand.bar(new PrintWriter(text), "verify", false);
        bar.at(100, 100);
        assertEquals("", text.toString());
    }
}
