package io.github.bulkimport.nifi.service;

import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobPage;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.JobSummary;
import io.github.bulkimport.nifi.api.PageRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * The jobs the server lists unfinished in a database, listed once: Pending, Importing, Uncommitted,
 * Committing, or in a state this bundle does not know (treated as running), whatever their collection
 * or whoever started them, since the server's job limit counts them all. Milvus lists every job in one
 * answer; Zilliz Cloud in pages of at most {@value #PAGE_SIZE}, which are read until the listing ends or
 * {@value #MAX_PAGES} pages have been (10,000 jobs: Zilliz Cloud keeps fewer than that running or pending
 * in a collection), so that an account with a long history costs a bounded number of calls, once an enable.
 * The default database is listed ahead, while the first run that sizes jobs takes its flowfiles. Whoever
 * asks while a database is being listed waits for that listing; a listing that fails is made again by the
 * next ask.
 */
final class UnfinishedJobs {

    /** Zilliz Cloud's largest page. */
    static final int PAGE_SIZE = 100;
    static final int MAX_PAGES = 100;

    /** Lists a page of jobs. */
    @FunctionalInterface
    interface Lister {
        JobPage list(PageRequest page) throws ImportApiException;
    }

    /** The databases listed ("" for the default one), and the listings running now. */
    private final Set<String> listed = new HashSet<>();
    private final Map<String, CompletableFuture<Void>> listing = new HashMap<>();

    /**
     * Lists the database unless it has been, and hands its unfinished jobs to {@code count} before any ask
     * returns; throws the listing's failure, to whoever made or awaited it.
     *
     * @param database the database to list, {@code null} for the default one
     */
    void countOnce(final String database, final Lister lister, final Consumer<List<JobReference>> count) throws ImportApiException {
        final String key = database == null ? "" : database;
        final CompletableFuture<Void> done;
        final boolean mine;
        synchronized (this) {
            if (listed.contains(key)) {
                return;
            }
            mine = !listing.containsKey(key);
            done = listing.computeIfAbsent(key, ignored -> new CompletableFuture<>());
        }
        if (mine) {
            list(key, database, lister, count, done);
        }
        await(done);
    }

    /**
     * Starts listing the database on a thread of its own, unless it is listed or being listed, so that the
     * first start finds the count made (or waits only for the rest of the listing). A failure is kept for
     * whoever awaits this listing; the next ask lists again.
     */
    void countAhead(final String database, final Lister lister, final Consumer<List<JobReference>> count) {
        final String key = database == null ? "" : database;
        final CompletableFuture<Void> done;
        synchronized (this) {
            if (listed.contains(key) || listing.containsKey(key)) {
                return;
            }
            done = new CompletableFuture<>();
            listing.put(key, done);
        }
        Thread.ofPlatform().daemon().name("bulk-import-unfinished-jobs-listing").start(() -> list(key, database, lister, count, done));
    }

    private void list(final String key, final String database, final Lister lister, final Consumer<List<JobReference>> count,
                      final CompletableFuture<Void> done) {
        try {
            count.accept(unfinished(lister, database));
            synchronized (this) {
                listed.add(key);
                listing.remove(key);
            }
            done.complete(null);
        } catch (final ImportApiException | RuntimeException e) {
            synchronized (this) {
                listing.remove(key);
            }
            done.completeExceptionally(e);
        }
    }

    private static void await(final CompletableFuture<Void> done) throws ImportApiException {
        try {
            done.get();
        } catch (final ExecutionException e) {
            if (e.getCause() instanceof ImportApiException failed) {
                throw failed;
            }
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImportApiException(ErrorKind.THROTTLED, "interrupted while the jobs still running on the server were listed");
        }
    }

    static List<JobReference> unfinished(final Lister lister, final String database) throws ImportApiException {
        final List<JobReference> unfinished = new ArrayList<>();
        for (final JobSummary job : listed(lister, database, MAX_PAGES)) {
            if (job.state() != JobState.COMPLETED && job.state() != JobState.FAILED) {
                unfinished.add(new JobReference(job.jobId(), database));
            }
        }
        return unfinished;
    }

    /** The jobs of a database as the server lists them: every one on Milvus, at most {@code maxPages} pages on Zilliz Cloud. */
    static List<JobSummary> listed(final Lister lister, final String database, final int maxPages) throws ImportApiException {
        final List<JobSummary> listed = new ArrayList<>();
        PageRequest page = new PageRequest(null, database, 1, PAGE_SIZE);
        for (int pages = 1; ; pages++) {
            final JobPage jobs = lister.list(page);
            listed.addAll(jobs.jobs());
            if (!jobs.hasMore() || pages >= maxPages) {
                return listed;
            }
            page = page.next();
        }
    }
}
