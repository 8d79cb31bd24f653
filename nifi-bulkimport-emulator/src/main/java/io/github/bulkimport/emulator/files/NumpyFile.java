package io.github.bulkimport.emulator.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The header of a {@code .npy} file: its element type, its shape, and where its data starts. */
record NumpyFile(String type, boolean fortranOrder, long[] shape, long dataOffset) {

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    static NumpyFile read(final Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            final byte[] magic = in.readNBytes(8);
            if (magic.length < 8 || (magic[0] & 0xFF) != 0x93 || magic[1] != 'N') {
                throw new IOException("not a numpy file");
            }
            final int lengthBytes = magic[6] == 1 ? 2 : 4;
            final byte[] length = in.readNBytes(lengthBytes);
            int headerLength = 0;
            for (int i = length.length - 1; i >= 0; i--) {
                headerLength = headerLength << 8 | length[i] & 0xFF;
            }
            final String header = new String(in.readNBytes(headerLength), StandardCharsets.ISO_8859_1);
            final Matcher descr = DESCR.matcher(header);
            final Matcher fortran = FORTRAN.matcher(header);
            final Matcher shape = SHAPE.matcher(header);
            if (!descr.find() || !shape.find()) {
                throw new IOException("the numpy header has no descr or shape");
            }
            final String[] parts = shape.group(1).split(",");
            final long[] dims = java.util.Arrays.stream(parts).map(String::strip).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
            return new NumpyFile(descr.group(1), fortran.find() && "True".equals(fortran.group(1)), dims, 8L + lengthBytes + headerLength);
        }
    }
}
