package io.hypermesh.streams.connect;

import io.hypermesh.events.connect.ConnectEvent;
import io.hypermesh.events.connect.IntentionDeleted;
import io.hypermesh.events.connect.IntentionHeader;
import io.hypermesh.events.connect.IntentionHttp;
import io.hypermesh.events.connect.IntentionPermission;
import io.hypermesh.events.connect.IntentionWritten;
import io.hypermesh.events.deadletter.DeadLetter;
import io.hypermesh.events.deadletter.DeadLetterEvent;
import org.apache.kafka.clients.producer.ProducerRecord;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.testing.DriverFixture;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntentionTopologyTest {
    @TempDir
    Path dir;
    private DriverFixture fx;
    private IntentionBook book;
    private AppliedOffsets applied;
    private TestInputTopic<String, ConnectEvent> in;
    private final List<ProducerRecord<String, DeadLetterEvent>> deadLetters = new ArrayList<>();

    @BeforeEach
    void start() {
        start(IntentionBook.DefaultPolicy.DENY);
    }

    private void start(IntentionBook.DefaultPolicy policy) {
        book = new IntentionBook(policy);
        applied = new AppliedOffsets();
        fx = new DriverFixture((settings, serdes) -> {
            StreamsBuilder builder = new StreamsBuilder();
            IntentionTopology.addTo(builder, serdes, new IntentionOutputs(book, applied, deadLetters::add), null);
            return builder.build();
        }, dir);
        in = fx.input(Topics.INTENTIONS.name(), ConnectEvent.class);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    private void write(String source, String destination, String action, List<IntentionPermission> permissions) {
        IntentionWritten w = new IntentionWritten("", "default", source, "default", destination, "consul", action, permissions, "",
                Map.of(), DriverFixture.T0, 0L, null, "test");
        in.pipeInput(Intention.key("default", source, "default", destination), Envelopes.wrap(Topics.INTENTIONS,
                DriverFixture.source("api"), w));
    }

    @Test
    void theMostPreciseIntentionDecidesAsConsulOrdersThem() {
        write("*", "*", "deny", List.of());
        write("web", "*", "allow", List.of());
        write("*", "db", "deny", List.of());
        write("web", "db", "allow", List.of());
        assertEquals(List.of(9, 8, 6, 5), book.all().stream().map(Intention::precedence).toList());
        assertTrue(book.decideL4("default", "web", "default", "db").allowed());
        assertEquals("Matched L4 intention: web => db (allow)", book.decideL4("default", "web", "default", "db").reason());
        // api reaches db only through *->db (deny, 8), which outranks web->* and *->*.
        assertFalse(book.decideL4("default", "api", "default", "db").allowed());
        assertEquals("Matched L4 intention: * => db (deny)", book.decideL4("default", "api", "default", "db").reason());
        assertTrue(book.decideL4("default", "web", "default", "cache").allowed());
        assertFalse(book.decideL4("default", "api", "default", "cache").allowed());
        write("api", "cache", "allow", List.of());
        // As Consul's match: the wildcards that would apply come too, in evaluation order.
        assertEquals(List.of("web => db (allow)", "* => db (deny)", "web => * (allow)", "* => * (deny)"),
                book.match(true, "default", "db").stream().map(Intention::toString).toList());
        assertEquals(List.of("api => cache (allow)", "* => db (deny)", "* => * (deny)"),
                book.match(false, "default", "api").stream().map(Intention::toString).toList());
        assertTrue(applied.reached(0, 3));
    }

    @Test
    void atEqualPrecedenceDenyComesFirst() {
        write("web", "db", "allow", List.of());
        write("api", "db", "deny", List.of());
        write("zeta", "db", "allow", List.of());
        assertEquals(List.of("api => db (deny)", "web => db (allow)", "zeta => db (allow)"),
                book.match(true, "default", "db").stream().map(Intention::toString).toList());
    }

    @Test
    void withNoIntentionTheDefaultPolicyDecidesWithConsulsReason() {
        assertEquals(new IntentionBook.Decision(false, "Default behavior configured by ACLs", null),
                book.decideL4("default", "web", "default", "db"));
        fx.close();
        start(IntentionBook.DefaultPolicy.ALLOW);
        assertEquals(new IntentionBook.Decision(true, "ACLs disabled, access is allowed by default", null),
                book.decideL4("default", "web", "default", "db"));
    }

    @Test
    void anL7IntentionDeniesAtL4AndItsFirstMatchingPermissionDecidesAtL7() {
        write("web", "api", null, List.of(
                new IntentionPermission("deny", new IntentionHttp(null, "/admin", null, List.of(), List.of())),
                new IntentionPermission("allow", new IntentionHttp(null, null, "/v[0-9]+/items/.*", List.of("GET"), List.of(
                        new IntentionHeader("x-team", false, "blue", null, null, null, false))))));
        IntentionBook.Decision l4 = book.decideL4("default", "web", "default", "api");
        assertFalse(l4.allowed());
        assertEquals("Matched L7 intention: web => api ()", l4.reason());
        assertFalse(book.decideL7("default", "web", "default", "api", "GET", "/admin/users", Map.of("x-team", "blue")).allowed());
        assertTrue(book.decideL7("default", "web", "default", "api", "GET", "/v2/items/7", Map.of("x-team", "blue")).allowed());
        // Wrong method, wrong header: no permission matches, so the default policy (deny) decides.
        IntentionBook.Decision post = book.decideL7("default", "web", "default", "api", "POST", "/v2/items/7", Map.of("x-team", "blue"));
        assertFalse(post.allowed());
        assertTrue(post.reason().endsWith("Default behavior configured by ACLs"), post.reason());
        assertFalse(book.decideL7("default", "web", "default", "api", "GET", "/v2/items/7", Map.of("x-team", "red")).allowed());
    }

    @Test
    void aDeleteRemovesThePairAndAnUpdateKeepsItsCreateIndex() {
        write("web", "db", "allow", List.of());
        Intention first = book.exact(Intention.key("default", "web", "default", "db")).orElseThrow();
        assertEquals(1, first.createIndex());
        IntentionWritten update = new IntentionWritten("", "default", "web", "default", "db", "consul", "deny", List.of(), "", Map.of(),
                DriverFixture.T0, first.createIndex(), null, "test");
        in.pipeInput(first.key(), Envelopes.wrap(Topics.INTENTIONS, DriverFixture.source("api"), update));
        Intention second = book.exact(first.key()).orElseThrow();
        assertEquals(1, second.createIndex());
        assertEquals(2, second.modifyIndex());
        assertFalse(book.decideL4("default", "web", "default", "db").allowed());
        in.pipeInput(first.key(), Envelopes.wrap(Topics.INTENTIONS, DriverFixture.source("api"),
                new IntentionDeleted("", "default", "web", "default", "db", "test")));
        assertTrue(book.exact(first.key()).isEmpty());
        assertEquals(0, book.size());
    }

    @Test
    void aRenameWritesTheNewPairAndRemovesTheOldInOneRecord() {
        write("web", "db", "allow", List.of());
        Intention old = book.exact(Intention.key("default", "web", "default", "db")).orElseThrow();
        IntentionWritten renamed = new IntentionWritten("", "default", "api", "default", "db", "consul", "allow", List.of(), "",
                Map.of(), DriverFixture.T0, old.createIndex(), old.key(), "test");
        in.pipeInput(Intention.key("default", "api", "default", "db"), Envelopes.wrap(Topics.INTENTIONS, DriverFixture.source("api"),
                renamed));
        assertEquals(List.of("api => db (allow)"), book.all().stream().map(Intention::toString).toList());
        assertEquals(old.createIndex(), book.all().get(0).createIndex());
    }

    @Test
    void anInvalidIntentionGoesToTheDeadLettersAndTheFoldGoesOn() {
        write("web", "db", "allow", List.of(new IntentionPermission("allow", new IntentionHttp("no-slash", null, null, List.of(),
                List.of()))));
        assertEquals(0, book.size());
        assertEquals(1, deadLetters.size());
        DeadLetter letter = (DeadLetter) deadLetters.get(0).value().getPayload();
        assertEquals(Topics.INTENTIONS.name(), letter.getSourceTopic());
        assertTrue(letter.getReason().contains("PathExact doesn't start with '/'"), letter.getReason());
        fx.rawInput(Topics.INTENTIONS.name()).pipeInput("default/a => default/b".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                new byte[]{0, 0, 0, 0, 42, 1, 2});
        assertEquals(2, deadLetters.size());
        assertEquals("deserialize", ((DeadLetter) deadLetters.get(1).value().getPayload()).getStage());
        write("web", "db", "allow", List.of());
        assertEquals(1, book.size());
        assertTrue(applied.reached(0, 2));
    }
}
