package io.hypermesh.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Test your own service against a real bus", as a user meets it: its xml block in a
 * fresh Maven project's pom (with nothing else of this repo), its java block as that project's
 * test, this repo's artifacts installed, and `mvn test` run there.
 */
class ReadmeExampleIT {
    static final String SECTION = "## Test your own service against a real bus";
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theReadmeExamplePassesInAFreshProject(@TempDir Path project) throws Exception {
        String readme = Files.readString(REPO.resolve("README.md"));
        int at = readme.indexOf("\n" + SECTION + "\n");
        assertTrue(at >= 0, "the README has the section '" + SECTION + "'");
        String section = readme.substring(at + 1, nextSection(readme, at + 1 + SECTION.length()));
        String dependencies = onlyBlock(section, "xml");
        String test = onlyBlock(section, "java");
        Matcher name = Pattern.compile("class (\\w+)").matcher(test);
        assertTrue(name.find(), "the java block declares a class");

        Files.writeString(project.resolve("pom.xml"), pom(dependencies));
        Path sources = Files.createDirectories(project.resolve("src/test/java"));
        Files.writeString(sources.resolve(name.group(1) + ".java"), test);

        run(REPO, project.resolve("install.log"), "mvn", "-B", "-q", "install", "-DskipTests", "-Dcheckstyle.skip", "-pl", "testkit",
                "-am");
        String output = run(project, project.resolve("test.log"), "mvn", "-B", "test");
        assertTrue(output.contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0"), output);
    }

    /** The one fenced block of {@code language} in {@code section}; two would leave the user guessing. */
    static String onlyBlock(String section, String language) {
        List<String> blocks = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(section).results()
                .map(m -> m.group(1)).toList();
        assertEquals(1, blocks.size(), "one ```" + language + " block in the section");
        return blocks.get(0);
    }

    private static int nextSection(String readme, int from) {
        int next = readme.indexOf("\n## ", from);
        return next < 0 ? readme.length() : next + 1;
    }

    /** A project that knows nothing of this repo: its coordinates, Java 17, and the plugins that run JUnit 5. */
    private static String pom(String dependencies) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>checkout</artifactId>
                  <version>1.0</version>
                  <properties>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                %s  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>3.13.0</version>
                        <configuration><release>17</release></configuration>
                      </plugin>
                      <plugin>
                        <artifactId>maven-surefire-plugin</artifactId>
                        <version>3.5.4</version>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(dependencies.indent(4));
    }

    /** Runs a command in {@code dir} to its end (10 minutes at most), its output kept in {@code log}; fails on a non-zero exit. */
    private static String run(Path dir, Path log, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end in 10 minutes: " + Files.readString(log));
        }
        String output = Files.readString(log);
        assertEquals(0, process.exitValue(), String.join(" ", command) + " in " + dir + " failed:\n" + output);
        return output;
    }
}
