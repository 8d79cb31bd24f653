package io.github.bulkimport.nifi.processors.validate.file;

import java.util.function.Supplier;

/**
 * What is wrong with one row's value, as a whole-file check finds it: the rule it breaks, and what the row holds, as
 * a message's "found ..." part ({@code NaN}, {@code a list of 767}, {@code a text of 70 bytes}). The text may be made
 * only when it is read: a file can hold millions of bad values, of which a few are named.
 */
public final class Fault {

    /** The rule a value breaks. */
    public enum Kind {
        /** A row of JSON or CSV without the field, which it must hold. */
        MISSING,
        /** A row of JSON or CSV with a key it must not hold (a field the server fills, or none of the collection's). */
        UNEXPECTED,
        /** null where the field is not nullable. */
        NULL,
        /** A value of another type than the field's (text for a number, a fraction for an integer). */
        TYPE,
        /** A dense vector of another dimension. */
        LENGTH,
        /** An array over its capacity. */
        CAPACITY,
        /** Text over its maximum length, in bytes (or an array's text element). */
        TOO_LONG,
        /** Text that is not valid UTF-8. */
        NOT_UTF8,
        /** Text that is not one JSON document. */
        NOT_JSON,
        /** JSON that is not an object, where the dynamic fields are. */
        NOT_OBJECT,
        /** NaN or an infinity, or a number beyond a 32-bit float. */
        NON_FINITE,
        /** A sparse vector Milvus refuses. */
        SPARSE
    }

    public static final Fault NULL = new Fault(Kind.NULL, "null");

    private final Kind kind;
    private Supplier<String> made;
    private String found;

    public Fault(final Kind kind, final String found) {
        this.kind = kind;
        this.found = found;
    }

    private Fault(final Kind kind, final Supplier<String> found) {
        this.kind = kind;
        this.made = found;
    }

    /** A fault whose text is made when it is first read. */
    public static Fault lazy(final Kind kind, final Supplier<String> found) {
        return new Fault(kind, found);
    }

    public Kind kind() {
        return kind;
    }

    public String found() {
        if (found == null) {
            found = made.get();
            made = null;
        }
        return found;
    }

    @Override
    public String toString() {
        return kind + " " + found();
    }
}
