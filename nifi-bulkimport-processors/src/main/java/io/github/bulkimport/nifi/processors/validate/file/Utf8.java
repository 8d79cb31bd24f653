package io.github.bulkimport.nifi.processors.validate.file;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Whether bytes are valid UTF-8 as Go's {@code utf8.Valid} decides (Milvus refuses VarChar values that are not):
 * shortest forms only, no surrogates, nothing above U+10FFFF. ASCII is checked eight bytes at a time.
 */
public final class Utf8 {

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    private Utf8() {
    }

    public static boolean valid(final byte[] b, final int from, final int to) {
        int i = from;
        while (i < to) {
            if (i + 8 <= to && ((long) LONG.get(b, i) & HIGH_BITS) == 0) {
                i += 8;
                continue;
            }
            final int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            final int length;
            final int min;
            final int max;
            if (c >= 0xC2 && c <= 0xDF) {
                length = 2;
                min = 0x80;
                max = 0xBF;
            } else if (c >= 0xE0 && c <= 0xEF) {
                length = 3;
                // E0 needs A0..BF (no overlong), ED needs 80..9F (no surrogate)
                min = c == 0xE0 ? 0xA0 : 0x80;
                max = c == 0xED ? 0x9F : 0xBF;
            } else if (c >= 0xF0 && c <= 0xF4) {
                length = 4;
                // F0 needs 90..BF (no overlong), F4 needs 80..8F (nothing above U+10FFFF)
                min = c == 0xF0 ? 0x90 : 0x80;
                max = c == 0xF4 ? 0x8F : 0xBF;
            } else {
                return false;
            }
            if (i + length > to) {
                return false;
            }
            final int second = b[i + 1] & 0xFF;
            if (second < min || second > max) {
                return false;
            }
            for (int k = 2; k < length; k++) {
                if ((b[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += length;
        }
        return true;
    }
}
