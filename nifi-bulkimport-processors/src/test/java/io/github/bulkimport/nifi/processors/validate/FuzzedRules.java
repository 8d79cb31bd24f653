package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;

import java.util.List;

/** SchemaRules for the fuzz targets of other packages: what the processor says of a file it has read. */
public final class FuzzedRules {

    private FuzzedRules() {
    }

    /** The problems ValidateBulkImportFile would report for the file against the schema, on Milvus. */
    public static List<String> check(final CollectionSchema schema, final long fileSize, final FileContents contents) {
        return SchemaRules.check(new SchemaRules.Target(schema, null, fileSize, Deployment.MILVUS.maxFileBytes(), Deployment.MILVUS.getDisplayName()),
                contents);
    }
}
