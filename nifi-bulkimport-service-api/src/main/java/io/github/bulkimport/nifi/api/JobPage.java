package io.github.bulkimport.nifi.api;

import java.util.List;

/**
 * One page of {@code list}. {@code totalCount} is {@code null} when the server does not page
 * (Milvus returns every job at once).
 */
public record JobPage(List<JobSummary> jobs, Integer totalCount, int page, int pageSize) {

    public JobPage {
        jobs = List.copyOf(jobs);
    }

    /** Whether a further page may hold more jobs. */
    public boolean hasMore() {
        if (totalCount == null) {
            return false;
        }
        return !jobs.isEmpty() && (long) page * pageSize < totalCount;
    }
}
