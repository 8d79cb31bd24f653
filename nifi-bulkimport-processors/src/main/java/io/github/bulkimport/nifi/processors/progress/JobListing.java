package io.github.bulkimport.nifi.processors.progress;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobPage;
import io.github.bulkimport.nifi.api.JobSummary;
import io.github.bulkimport.nifi.api.PageRequest;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Finds many jobs of one collection with {@code list} rather than one {@code describe} each: Milvus
 * answers every job at once, Zilliz Cloud 100 per page. The listing stops once every job wanted is
 * found, and after as many pages as the jobs wanted fill, plus one (a collection holds older jobs too):
 * a job not found by then is left to {@code describe}.
 */
final class JobListing {

    static final int PAGE_SIZE = 100;

    private JobListing() {
    }

    /**
     * The jobs of {@code wanted} that the listing shows, by job ID.
     *
     * @param calls told of every call made
     */
    static Map<String, JobSummary> find(final BulkImportConnectionService service, final String collection, final String database,
                                        final Collection<String> wanted, final IntConsumer calls) throws ImportApiException {
        final Set<String> missing = new HashSet<>(wanted);
        final Map<String, JobSummary> found = new HashMap<>();
        final int maxPages = (wanted.size() + PAGE_SIZE - 1) / PAGE_SIZE + 1;
        PageRequest page = new PageRequest(collection, database, 1, PAGE_SIZE);
        for (int pages = 0; pages < maxPages && !missing.isEmpty(); pages++, page = page.next()) {
            calls.accept(1);
            final JobPage result = service.listJobs(page);
            for (final JobSummary job : result.jobs()) {
                if (missing.remove(job.jobId())) {
                    found.put(job.jobId(), job);
                }
            }
            if (!result.hasMore()) {
                break;
            }
        }
        return found;
    }
}
