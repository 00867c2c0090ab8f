package io.hypermesh.coordinator.cli;

import io.hypermesh.schemas.kafka.PkiDirectory;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.platform.pki.Pki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PkiCommandTest {
    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Hypermesh.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    @Test
    void initIssuesTheBusComponentsOnceAndAddsNewOnesLater(@TempDir Path dir) throws Exception {
        Run first = run("pki", "init", "--dir=" + dir, "--days=10");
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().startsWith("created the CA in "), first.out());
        for (String component : PkiCommand.COMPONENTS) {
            assertTrue(first.out().contains("issued  " + component + "  "), component + " in " + first.out());
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(PkiDirectory.storeOf(dir, component))) {
                store.load(in, PkiDirectory.passwordOf(dir, component).toCharArray());
            }
            X509Certificate cert = (X509Certificate) store.getCertificate(component);
            assertEquals("CN=" + component + ",O=HyperMesh", cert.getSubjectX500Principal().getName());
            // Its client settings file is what --kafka-config takes, owner-only because it holds the passwords.
            Path settings = Pki.clientPropertiesOf(dir, component);
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(settings)));
            java.util.Map<String, Object> client = KafkaAccess.to("h:1").withPropertiesFile(settings).clientConfig();
            assertEquals(PkiDirectory.storeOf(dir, component).toAbsolutePath().toString(), client.get("ssl.keystore.location"));
            assertEquals(PkiDirectory.passwordOf(dir, component), client.get("ssl.keystore.password"));
        }

        Run again = run("pki", "init", "--dir=" + dir, "--component=folds,adapter-extra");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().startsWith("kept the CA in "), again.out());
        assertTrue(again.out().contains("kept    folds"), again.out());
        assertTrue(again.out().contains("issued  adapter-extra"), again.out());
    }

    @Test
    void badArgumentsAreRefusedWithAReason(@TempDir Path dir) {
        Run days = run("pki", "init", "--dir=" + dir, "--days=0");
        assertEquals(2, days.exit());
        assertTrue(days.err().contains("--days must be at least 1"), days.err());
        Run name = run("pki", "init", "--dir=" + dir, "--component=Not Valid");
        assertTrue(name.exit() != 0);
        assertTrue(name.err().contains("component name 'Not Valid'"), name.err());
    }
}
