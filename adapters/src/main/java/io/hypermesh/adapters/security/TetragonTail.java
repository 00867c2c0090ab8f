package io.hypermesh.adapters.security;

import io.hypermesh.adapters.InvalidInputException;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.schemas.serde.DeadLetters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One export file followed like tail -F, resumable: each line's audit record carries the
 * file's identity (device and inode) and the offset just past that line, committed with the
 * line's event. Started again, the tail continues from the newest such record, in the rotated
 * file if the file was rotated meanwhile, so no line is skipped or published twice. A rotated
 * file is read to its end before the new one; a truncated one from its start.
 */
final class TetragonTail {
    private static final Logger LOG = LoggerFactory.getLogger(TetragonTail.class);
    private final SecurityAdapter adapter;
    private final AuditedPublisher bus;
    private static final int MAX_LINE_BYTES = 1 << 20;
    private final Path file;
    private final String markName;
    private final boolean fromStart;
    private FileChannel open;
    private String openKey;
    /** Offset just past the last complete line taken from the open file. */
    private long consumed;
    private long lineNumber;
    /** Bytes read after {@link #consumed}: the start of a line whose newline has not arrived. */
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
    /** Past {@link #MAX_LINE_BYTES} without a newline: the rest of that line is dropped (it was dead-lettered). */
    private boolean skippingLongLine;
    private boolean started;

    TetragonTail(SecurityAdapter adapter, AuditedPublisher bus, Path file, boolean fromStart) {
        this.adapter = adapter;
        this.bus = bus;
        this.file = file;
        this.fromStart = fromStart;
        this.markName = "tetragon:" + file.toAbsolutePath();
    }

    void readNewLines() {
        try {
            if (!started) {
                start();
                started = true;
            }
            if (open == null && !openAtPath(0, 0)) {
                return;
            }
            drain();
            String atPath = keyAt(file);
            if (atPath != null && !atPath.equals(openKey)) {
                // Rotated: the old file was read to its end above; a last line without a newline ends with it.
                flushUnterminatedLine();
                LOG.info("{}: {} was rotated; reading the new file from the start", bus.adapterId(), file);
                open.close();
                open = null;
                if (openAtPath(0, 0)) {
                    drain();
                }
            } else if (open.size() < consumed + pending.size()) {
                LOG.info("{}: {} was truncated; reading it from the start", bus.adapterId(), file);
                reset(0, 0);
                drain();
            }
            adapter.tailProblem(null);
        } catch (NoSuchFileException e) {
            adapter.tailProblem("Tetragon export " + file + " does not exist (yet)");
        } catch (IOException e) {
            adapter.tailProblem("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Where to begin: after the last line the previous run published, else at the start or the end. */
    private void start() throws IOException {
        Optional<String> mark = bus.resumeMark(markName);
        if (mark.isEmpty()) {
            if (Files.exists(file)) {
                long end = fromStart ? 0 : Files.size(file);
                openAtPath(end, fromStart ? 0 : linesBefore(end));
            }
            return;
        }
        String[] parts = mark.get().split("\\|", 3);
        String key = parts[0];
        long offset = Long.parseLong(parts[1]);
        long line = Long.parseLong(parts[2]);
        if (key.equals(keyAt(file))) {
            openAtPath(offset, line);
            LOG.info("{}: resuming {} at byte {} (line {})", bus.adapterId(), file, offset, line);
            return;
        }
        Path rotated = findByKey(key);
        if (rotated != null) {
            open = FileChannel.open(rotated, StandardOpenOption.READ);
            openKey = key;
            reset(offset, line);
            LOG.info("{}: {} was rotated while stopped; finishing {} from byte {} first", bus.adapterId(), file, rotated, offset);
        } else {
            LOG.warn("{}: the file {} was at (identity {}, byte {}) is gone; lines written to it after that are lost,"
                    + " the current file is read from its start", bus.adapterId(), file, key, offset);
            openAtPath(0, 0);
        }
    }

    private boolean openAtPath(long offset, long line) throws IOException {
        String key = keyAt(file);
        if (key == null) {
            adapter.tailProblem("Tetragon export " + file + " does not exist (yet)");
            return false;
        }
        open = FileChannel.open(file, StandardOpenOption.READ);
        openKey = key;
        reset(offset, line);
        return true;
    }

    private void reset(long offset, long line) {
        consumed = offset;
        lineNumber = line;
        pending.reset();
        skippingLongLine = false;
    }

    /** Takes every complete line now in the open file. */
    private void drain() throws IOException {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64 << 10);
        long at = consumed + pending.size();
        int n;
        while ((n = open.read(buffer, at)) > 0) {
            at += n;
            byte[] bytes = buffer.array();
            int lineStart = 0;
            for (int i = 0; i < n; i++) {
                if (bytes[i] == '\n') {
                    take(bytes, lineStart, i - lineStart, 1);
                    lineStart = i + 1;
                }
            }
            keep(bytes, lineStart, n - lineStart);
            buffer.clear();
        }
    }

    /** A line ends: {@code pending} plus bytes[from, from+length), followed by {@code terminator} newline bytes. */
    private void take(byte[] bytes, int from, int length, int terminator) {
        long lineBytes = pending.size() + length;
        boolean skipped = skippingLongLine;
        byte[] line = null;
        if (!skipped) {
            pending.write(bytes, from, length);
            line = pending.toByteArray();
        }
        pending.reset();
        skippingLongLine = false;
        consumed += lineBytes + terminator;
        lineNumber++;
        if (!skipped) {
            line(line, lineNumber);
        }
    }

    private void keep(byte[] bytes, int from, int length) {
        if (skippingLongLine) {
            consumed += length; // dropped, but still part of the file's bytes
            return;
        }
        pending.write(bytes, from, length);
        if (pending.size() > MAX_LINE_BYTES) {
            byte[] head = java.util.Arrays.copyOf(pending.toByteArray(), 4096);
            deadLetter(head, lineNumber + 1, new InvalidInputException("line longer than " + MAX_LINE_BYTES
                    + " bytes without a newline; its first 4096 bytes are kept here"));
            consumed += pending.size();
            pending.reset();
            skippingLongLine = true;
        }
    }

    private void flushUnterminatedLine() {
        if (pending.size() > 0 || skippingLongLine) {
            take(new byte[0], 0, 0, 0);
        }
    }

    private Map<String, String> resumeHere() {
        return Map.of(io.hypermesh.adapters.audit.AuditTrail.RESUME_PREFIX + markName, openKey + "|" + consumed + "|" + lineNumber);
    }

    /** Lines skipped when starting at the end, so dead letters still name the file's own line numbers. */
    private long linesBefore(long end) throws IOException {
        long lines = 0;
        try (var in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            for (long read = 0; read < end; read++) {
                if (in.read() == '\n') {
                    lines++;
                }
            }
        }
        return lines;
    }

    private void line(byte[] bytes, long number) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            deadLetter(bytes, number, new InvalidInputException("not UTF-8: " + e.getMessage()));
            return;
        }
        if (text.isBlank()) {
            // Nothing to publish, but the position moved: noted with the next line that counts.
            return;
        }
        try {
            SecurityInput.Alert alert = SecurityInput.tetragon(text.strip());
            adapter.publish(alert, "tetragon:" + Objects.requireNonNullElse(alert.alert().getHost(), alert.key()), resumeHere());
        } catch (InvalidInputException e) {
            deadLetter(bytes, number, e);
        }
    }

    private void deadLetter(byte[] bytes, long number, InvalidInputException e) {
        Map<String, String> details = new HashMap<>(resumeHere());
        details.put("reason", e.getMessage());
        bus.publish(DeadLetters.of("file:" + file, 0, number, null, bytes, "tetragon-export", e, bus.source()),
                new AuditedPublisher.Action("tetragon:" + file, "security.tetragon-rejected", file + ":" + number, AuditOutcome.DENIED,
                        details));
    }

    /** The file's identity (device and inode on Linux), or null when there is no file. */
    private static String keyAt(Path path) throws IOException {
        try {
            Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            return key == null ? path.toRealPath().toString() : key.toString();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** A file beside the export with this identity: where a rotation moved it (tetragon.log.1, say). */
    private Path findByKey(String key) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        try (var siblings = Files.list(dir)) {
            for (Path p : (Iterable<Path>) siblings::iterator) {
                if (Files.isRegularFile(p) && key.equals(keyAt(p))) {
                    return p;
                }
            }
        }
        return null;
    }
}
