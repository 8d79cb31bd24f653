package io.github.bulkimport.nifi.processors.validate.parquet;

import shaded.parquet.org.apache.thrift.TConfiguration;
import shaded.parquet.org.apache.thrift.TException;
import shaded.parquet.org.apache.thrift.protocol.TCompactProtocol;
import shaded.parquet.org.apache.thrift.protocol.TList;
import shaded.parquet.org.apache.thrift.protocol.TMap;
import shaded.parquet.org.apache.thrift.protocol.TProtocolException;
import shaded.parquet.org.apache.thrift.protocol.TProtocolUtil;
import shaded.parquet.org.apache.thrift.protocol.TSet;
import shaded.parquet.org.apache.thrift.protocol.TStruct;
import shaded.parquet.org.apache.thrift.transport.TTransport;
import shaded.parquet.org.apache.thrift.transport.TTransportException;

import java.nio.ByteBuffer;

/**
 * Thrift's compact protocol over bytes in memory, where nothing a message declares is allocated or
 * followed before it is checked against the bytes left. The shaded Thrift reader leaves three holes,
 * closed here: a binary's length is not checked for being negative (its reader then fails with a
 * NullPointerException); a container of structs passes its size check whatever its size, since an
 * empty struct counts as 0 bytes (its reader then allocates for 2^31 elements); and skipping an unknown
 * field recurses as deep as the bytes nest; and its varint reader, given direct access to a buffer,
 * reads on past the buffer's end while bytes say a varint goes on (ArrayIndexOutOfBoundsException).
 * So every container element counts as at least one byte (each takes at least one), a binary's length
 * must fit in the bytes left, nesting stops at {@link #MAX_DEPTH}, and the bytes are handed to Thrift
 * one at a time, each read checked, never as a buffer. Whatever is wrong comes out as a {@link TException}; {@link #ranOut()} tells
 * whether it was the bytes that ran out, a message longer than them.
 */
final class BoundedCompactProtocol extends TCompactProtocol {

    /** Parquet's structures nest about 10 deep (a footer, its row groups, their columns, statistics, a logical type). */
    static final int MAX_DEPTH = 64;

    private static final long NO_LIMIT = -1;

    private final Bytes bytes;
    private int depth;
    /** Objects the structures kept may still make ({@link #limitObjects}); while skipping, none are counted. */
    private long objectsLeft = Long.MAX_VALUE;
    private boolean skipping;

    private BoundedCompactProtocol(final Bytes bytes) {
        // no limits of the library's own: the checks here are tighter (the bytes left, not the bytes given) and say when bytes ran out
        super(bytes, NO_LIMIT, NO_LIMIT);
        this.bytes = bytes;
    }

    /** A protocol reading {@code length} bytes of {@code buffer} from {@code offset} on. */
    static BoundedCompactProtocol over(final byte[] buffer, final int offset, final int length) {
        return new BoundedCompactProtocol(new Bytes(buffer, offset, offset + length));
    }

    /** How many bytes were decoded so far. */
    int consumed() {
        return bytes.position - bytes.start;
    }

    /**
     * Bounds the objects the structures decoded from now on make, together: every structure, list, list element and
     * text or binary counts one. Each is an object of some 20 to 60 bytes that may take a single byte of the message
     * (an empty structure, an empty list, an empty binary), so that the bytes alone would not bound the memory they take.
     */
    void limitObjects(final long objects) {
        objectsLeft = objects;
    }

    /** How many more objects the structures kept may still make. */
    long objectsLeft() {
        return objectsLeft;
    }

    /** The header of a list of which one element at most is kept (the row groups): its size counts against no limit. */
    TList readListBeginOfUnkept() throws TException {
        final boolean before = skipping;
        skipping = true;
        try {
            return readListBegin();
        } finally {
            skipping = before;
        }
    }

    /** Skips a field of this type without keeping it: its elements count against no limit. */
    void skipUnkept(final byte type) throws TException {
        final boolean before = skipping;
        skipping = true;
        try {
            TProtocolUtil.skip(this, type);
        } finally {
            skipping = before;
        }
    }

    /** Whether decoding failed because the message goes on past the bytes given (or says it does). */
    boolean ranOut() {
        return bytes.claimedEnd > 0;
    }

    /** When {@link #ranOut()}: how many bytes from the start the message needs, at least (what it claims). */
    long claimedEnd() {
        return bytes.claimedEnd;
    }

    @Override
    public TStruct readStructBegin() throws TException {
        enter();
        count(1);
        return super.readStructBegin();
    }

    @Override
    public void readStructEnd() throws TException {
        super.readStructEnd();
        depth--;
    }

    @Override
    public TList readListBegin() throws TException {
        enter();
        count(1);
        return super.readListBegin();
    }

    @Override
    public void readListEnd() {
        depth--;
    }

    /** The compact protocol reads a set's header through {@link #readListBegin}, which enters. */
    @Override
    public void readSetEnd() {
        depth--;
    }

    @Override
    public TMap readMapBegin() throws TException {
        enter();
        count(1);
        return super.readMapBegin();
    }

    @Override
    public void readMapEnd() {
        depth--;
    }

    @Override
    protected void checkReadBytesAvailable(final TList list) throws TException {
        bytes.checkReadBytesAvailable((long) list.getSize() * Math.max(1, getMinSerializedSize(list.elemType)));
        count(list.getSize());
    }

    @Override
    protected void checkReadBytesAvailable(final TSet set) throws TException {
        bytes.checkReadBytesAvailable((long) set.getSize() * Math.max(1, getMinSerializedSize(set.elemType)));
        count(set.getSize());
    }

    @Override
    protected void checkReadBytesAvailable(final TMap map) throws TException {
        bytes.checkReadBytesAvailable((long) map.size * Math.max(1, getMinSerializedSize(map.keyType) + getMinSerializedSize(map.valueType)));
        count(map.size);
    }

    private void count(final long objects) throws TProtocolException {
        if (skipping) {
            return;
        }
        objectsLeft -= objects;
        if (objectsLeft < 0) {
            throw new TProtocolException(TProtocolException.SIZE_LIMIT, "more than the " + ParquetFooter.MAX_KEPT_OBJECTS
                    + " entries (structures, lists and their elements, texts) a check keeps of the schema and a row group");
        }
    }

    /** Every byte the protocol reads (varints, field headers) comes through here, checked. */
    @Override
    public byte readByte() throws TException {
        return bytes.next();
    }

    @Override
    public String readString() throws TException {
        count(1);
        return super.readString();
    }

    @Override
    public ByteBuffer readBinary() throws TException {
        count(1);
        final long length = unsignedVarint32();
        bytes.checkReadBytesAvailable(length);
        final ByteBuffer binary = ByteBuffer.wrap(bytes.buffer, bytes.position, (int) length).slice();
        bytes.position += (int) length;
        return binary;
    }

    @Override
    protected void skipBinary() throws TException {
        readBinary();
    }

    /** Thrift's reason, short: a missing field's message goes on with the whole structure, which is cut off. */
    static String reason(final TException e) {
        final String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        final int struct = message.indexOf("! Struct:");
        final String reason = struct >= 0 ? message.substring(0, struct) : message;
        return reason.length() <= 160 ? reason : reason.substring(0, 160) + "...";
    }

    private void enter() throws TProtocolException {
        if (++depth > MAX_DEPTH) {
            throw new TProtocolException(TProtocolException.DEPTH_LIMIT, "structures nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** A length: an unsigned varint of at most 32 bits, as compact Thrift writes it (read as unsigned, so never negative). */
    private long unsignedVarint32() throws TException {
        long value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            final int b = readByte() & 0xFF;
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new TProtocolException(TProtocolException.INVALID_DATA, "a length of more than 5 bytes");
    }

    /** The bytes, read-only, with the end checked by every read. */
    private static final class Bytes extends TTransport {

        private final byte[] buffer;
        private final int start;
        private final int end;
        private int position;
        private long claimedEnd;

        Bytes(final byte[] buffer, final int start, final int end) {
            this.buffer = buffer;
            this.start = start;
            this.end = end;
            this.position = start;
        }

        int remaining() {
            return end - position;
        }

        byte next() throws TTransportException {
            checkReadBytesAvailable(1);
            return buffer[position++];
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void open() {
        }

        @Override
        public void close() {
        }

        @Override
        public int read(final byte[] into, final int offset, final int length) {
            final int n = Math.min(length, remaining());
            if (n < length) {
                // readAll fails on a short read: the message goes on past the bytes
                claimedEnd = (long) position - start + length;
            }
            System.arraycopy(buffer, position, into, offset, n);
            position += n;
            return n;
        }

        @Override
        public void write(final byte[] from, final int offset, final int length) throws TTransportException {
            throw new TTransportException(TTransportException.UNKNOWN, "read-only");
        }

        /** No buffer for Thrift to read directly (its varint reader would read past the end): it reads through {@link #read}. */
        @Override
        public int getBytesRemainingInBuffer() {
            return -1;
        }

        @Override
        public TConfiguration getConfiguration() {
            return new TConfiguration(end - start, end - start, MAX_DEPTH);
        }

        @Override
        public void updateKnownMessageSize(final long size) {
        }

        @Override
        public void checkReadBytesAvailable(final long length) throws TTransportException {
            if (length < 0 || length > remaining()) {
                if (length > remaining()) {
                    claimedEnd = (long) position - start + length;
                }
                throw new TTransportException(TTransportException.END_OF_FILE, length < 0 ? "a negative length of " + length
                        : "a length of " + length + " bytes where " + remaining() + " are left");
            }
        }
    }
}
