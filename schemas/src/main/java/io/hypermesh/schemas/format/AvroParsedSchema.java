package io.hypermesh.schemas.format;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An Avro schema; compatibility is Avro's own reader/writer resolution. */
public record AvroParsedSchema(Schema schema, boolean hasReferences, String text) implements ParsedSchema {

    static AvroParsedSchema parse(String text, Map<String, String> references) {
        Schema.Parser parser = new Schema.Parser();
        for (Map.Entry<String, String> ref : references.entrySet()) {
            try {
                parser.parse(ref.getValue());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("reference '" + ref.getKey() + "': " + e.getMessage(), e);
            }
        }
        try {
            return new AvroParsedSchema(parser.parse(text), !references.isEmpty(), text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public String schemaType() {
        return SchemaTypes.AVRO;
    }

    /** Avro's own JSON form; with references the text as given, since the parsed form would inline them. */
    @Override
    public String canonical() {
        return hasReferences ? text : schema.toString();
    }

    @Override
    public String normalized() {
        return canonical();
    }

    @Override
    public List<Difference> backwardIncompatibilities(ParsedSchema previous) {
        if (!(previous instanceof AvroParsedSchema earlier)) {
            return ParsedSchema.differentType(this, previous);
        }
        List<Difference> found = new ArrayList<>();
        for (Incompatibility i : SchemaCompatibility.checkReaderWriterCompatibility(schema, earlier.schema)
                .getResult().getIncompatibilities()) {
            found.add(new Difference(i.getType().toString(), i.getMessage(), i.getLocation()));
        }
        return found;
    }
}
