package io.github.bulkimport.nifi.processors.progress;

import io.github.bulkimport.nifi.api.FileProgress;
import io.github.bulkimport.nifi.api.JobState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Found by the red team of issue 25 (promise 1 for a server's answer, CPU), fixed since: a Failed batched job of 1,000 flowfiles, 1,024 failed files named in Milvus's
 * protobuf text with keys of 1,000 bytes (S3 allows 1,024). FailedFiles.spares parses every failed name again for every file of
 * every flowfile: 1,000 x 1,024 parses of a 1 KB name in one run.
 */
class FailedFilesCostTest {

    @Test
    void matchingABatchOfAThousandFlowFilesAgainstAThousandLongFailedNamesIsLinear() {
        final List<FileProgress> failed = new ArrayList<>();
        for (int i = 0; i < 1_024; i++) {
            failed.add(new FileProgress("shown", JobState.FAILED, "Failed", 0, 0L, 0L, 0L, "bad", null,
                    "id:" + i + " paths:\"vectors/" + "k".repeat(980) + "/failed-" + i + ".parquet\""));
        }
        final FailedFiles files = new FailedFiles(failed);
        final long start = System.nanoTime();
        int spared = 0;
        for (int flowFile = 0; flowFile < 1_000; flowFile++) {
            if (files.spares(List.of(List.of("vectors/" + "k".repeat(980) + "/ok-" + flowFile + ".parquet")))) {
                spared++;
            }
        }
        final long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("1,000 flowfiles against 1,024 failed names: " + millis + " ms, spared " + spared);
        assertEquals(1_000, spared, "no flowfile holds a failed file");
        // a guard against the quadratic matcher (seconds), with room for a slow machine; no performance target
        assertTrue(millis < 1_000, millis + " ms for one run's matching");
    }
}
