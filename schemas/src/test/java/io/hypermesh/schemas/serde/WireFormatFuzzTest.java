package io.hypermesh.schemas.serde;

import io.hypermesh.schemas.testing.InMemoryRegistryClient;
import io.hypermesh.schemas.testing.SampleEvents;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the Confluent wire-format reader with arbitrary bytes and with real records of every
 * event type, mutated (bytes flipped, cut, extended, lengths made huge). Whatever it is given, it
 * returns a record or throws Kafka's {@link SerializationException} with a reason, which the folds
 * turn into a dead letter; nothing else escapes (no other runtime exception, no OutOfMemoryError
 * from a length prefix claiming gigabytes).
 */
class WireFormatFuzzTest {
    static final InMemoryRegistryClient REGISTRY = new InMemoryRegistryClient();
    static final List<Framed> VALID = SampleEvents.all().stream().map(sample -> {
        byte[] bytes = new AvroSerializer<GenericRecord>(REGISTRY, true).serialize(sample.topic().name(), sample.envelope());
        return new Framed(sample.topic().name(), sample.topic().valueType(), bytes);
    }).toList();

    record Framed(String topic, Class<?> type, byte[] bytes) {
    }

    @Property(tries = 1000, edgeCases = EdgeCasesMode.MIXIN)
    void arbitraryBytesDecodeOrFailWithAReason(@ForAll("anyFrame") byte[] data, @ForAll("anyValid") Framed target) {
        decodeOrFailCleanly(target, data);
    }

    @Property(tries = 3000, edgeCases = EdgeCasesMode.MIXIN)
    void mutatedRecordsOfEveryTypeDecodeOrFailWithAReason(@ForAll("mutated") Framed mutated) {
        decodeOrFailCleanly(mutated, mutated.bytes());
    }

    @SuppressWarnings("unchecked")
    private static void decodeOrFailCleanly(Framed target, byte[] data) {
        var generic = new AvroDeserializer<GenericRecord>(REGISTRY, null);
        var typed = new AvroDeserializer<SpecificRecord>(REGISTRY, (Class<? extends SpecificRecord>) target.type());
        for (var reader : List.of(generic, typed)) {
            try {
                Object value = reader.deserialize(target.topic(), data);
                assertTrue(value != null, "a non-null value decodes to a record");
            } catch (SerializationException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a refusal says why");
            } catch (Throwable e) {
                fail("undecodable bytes must be refused with a SerializationException, got " + e + " for "
                        + Arrays.toString(Arrays.copyOf(data, Math.min(data.length, 64))), e);
            }
        }
    }

    @Provide
    Arbitrary<Framed> anyValid() {
        return Arbitraries.of(VALID);
    }

    /** Random bodies, often behind a real header so the Avro decoder is reached. */
    @Provide
    Arbitrary<byte[]> anyFrame() {
        Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Combinators.combine(Arbitraries.of(VALID), body, Arbitraries.integers().between(0, 3)).as((valid, random, kind) ->
                switch (kind) {
            case 0 -> random; // anything, header or not
            default -> { // a real header (known schema id), random Avro body
                byte[] out = Arrays.copyOf(valid.bytes(), WireFormat.HEADER_SIZE + random.length);
                System.arraycopy(random, 0, out, WireFormat.HEADER_SIZE, random.length);
                yield out;
            }
        });
    }

    @Provide
    Arbitrary<Framed> mutated() {
        return Combinators.combine(Arbitraries.of(VALID), Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.bytes(), Arbitraries.integers().between(1, 8))
                .as((valid, kind, position, value, count) -> {
                    byte[] bytes = valid.bytes().clone();
                    int at = WireFormat.HEADER_SIZE + position % Math.max(1, bytes.length - WireFormat.HEADER_SIZE);
                    byte[] out = switch (kind) {
                        case 0 -> { // flip some bytes
                            for (int i = 0; i < count && at + i < bytes.length; i++) {
                                bytes[at + i] ^= (byte) (value == 0 ? 0x5a : value);
                            }
                            yield bytes;
                        }
                        case 1 -> Arrays.copyOf(bytes, at); // cut short
                        case 2 -> { // extra bytes after the body
                            byte[] longer = Arrays.copyOf(bytes, bytes.length + count);
                            Arrays.fill(longer, bytes.length, longer.length, value);
                            yield longer;
                        }
                        case 3 -> { // a zig-zag varint claiming about a gigabyte where a length or count may be
                            byte[] huge = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
                            byte[] spliced = Arrays.copyOf(bytes, bytes.length + huge.length);
                            System.arraycopy(bytes, at, spliced, at + huge.length, bytes.length - at);
                            System.arraycopy(huge, 0, spliced, at, huge.length);
                            yield spliced;
                        }
                        default -> { // a header naming a schema id nobody registered
                            bytes[1] = (byte) 0x7f;
                            yield bytes;
                        }
                    };
                    return new Framed(valid.topic(), valid.type(), out);
                });
    }
}
