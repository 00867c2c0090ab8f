package io.hypermesh.schemas.format;

import com.squareup.wire.schema.internal.parser.EnumElement;
import com.squareup.wire.schema.internal.parser.FieldElement;
import com.squareup.wire.schema.internal.parser.MessageElement;
import com.squareup.wire.schema.internal.parser.OneOfElement;
import com.squareup.wire.schema.internal.parser.ProtoFileElement;
import com.squareup.wire.schema.internal.parser.TypeElement;

import java.util.List;

/**
 * What a .proto may hold before it is linked: linking, normalising and building descriptors cost
 * more than linear time in some shapes (a 40,000-value enum took 14 s; 1,000 nested messages
 * overflowed the stack), and a register holds the registry's single writer while it parses. Far
 * past what real files use, and refused with the reason. Also the shapes protoc refuses and Wire
 * fails on without a word (a map whose value is a map).
 */
final class ProtobufBounds {
    static final int MAX_NESTING = 32;
    static final int MAX_ENUM_VALUES = 5_000;
    static final int MAX_MEMBERS = 20_000;

    private int members;

    private ProtobufBounds() {
    }

    static void check(ProtoFileElement file) {
        new ProtobufBounds().types(file.getTypes(), 1);
    }

    private void types(List<TypeElement> types, int depth) {
        if (depth > MAX_NESTING && !types.isEmpty()) {
            throw new IllegalArgumentException("messages nest too deeply: more than " + MAX_NESTING + " levels");
        }
        for (TypeElement type : types) {
            count(1);
            if (type instanceof EnumElement e) {
                if (e.getConstants().size() > MAX_ENUM_VALUES) {
                    throw new IllegalArgumentException("enum " + e.getName() + " has " + e.getConstants().size()
                            + " values; the limit is " + MAX_ENUM_VALUES);
                }
                count(e.getConstants().size());
            } else if (type instanceof MessageElement m) {
                fields(m.getFields());
                for (OneOfElement o : m.getOneOfs()) {
                    fields(o.getFields());
                }
            }
            types(type.getNestedTypes(), depth + 1);
        }
    }

    private void fields(List<FieldElement> fields) {
        count(fields.size());
        for (FieldElement f : fields) {
            String type = f.getType().replace(" ", "");
            if (type.startsWith("map<") && type.indexOf("map<", 4) >= 0) {
                throw new IllegalArgumentException("field " + f.getName() + ": map values cannot be maps (" + f.getType() + ")");
            }
        }
    }

    private void count(int more) {
        members += more;
        if (members > MAX_MEMBERS) {
            throw new IllegalArgumentException("the .proto declares more than " + MAX_MEMBERS + " types, fields and enum values");
        }
    }
}
