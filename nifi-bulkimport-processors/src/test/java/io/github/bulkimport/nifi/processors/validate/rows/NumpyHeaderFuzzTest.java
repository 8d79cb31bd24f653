package io.github.bulkimport.nifi.processors.validate.rows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.processors.validate.RepresentativeSchema;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;
import io.github.bulkimport.nifi.testing.FuzzInvariants;

import java.util.ArrayList;
import java.util.List;

/** Any bytes as a .npy file: a header read or a file called unreadable with a reason, checked as the file of each field in turn. */
class NumpyHeaderFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void numpyHeader(final byte[] input) throws Exception {
        final BytesContent file = new BytesContent("vector.npy", FuzzedFiles.bounded(input));
        final FuzzedFiles.Checked checked = FuzzInvariants.withinBudget(() -> {
            final FileContents read = NumpyHeader.read(file, "vector");
            final List<String> problems = new ArrayList<>();
            for (final FieldSchema field : RepresentativeSchema.FIELDS) {
                problems.addAll(RepresentativeSchema.problems(named(read, field.name())));
            }
            return new FuzzedFiles.Checked(read, problems);
        });
        FuzzedFiles.assertValid(FileFormat.NUMPY, checked);
    }

    /** What was read, as the file of another field (a NumPy file holds the field it is named after). */
    private static FileContents named(final FileContents read, final String field) {
        if (read.unreadable() != null) {
            return read;
        }
        final FileColumn column = read.columns().getFirst();
        return new FileContents(FileFormat.NUMPY, List.of(new FileColumn(field, column.kind(), column.elementKind(), column.values(), column.cells(), column.nullKey(),
                column.lengths(), column.longestText())), read.rows(), null, read.bytesRead());
    }
}
