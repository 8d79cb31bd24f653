package io.github.bulkimport.nifi.processors.trigger;

import java.util.OptionalInt;

/**
 * How big this run's jobs are. Set, Max Flowfiles per Job is the size, spread over the free job slots
 * when the connection service knows them. Unset (the default), each job is sized from the queue and the
 * free slots: a burst is spread over the slots still free, a job of at least {@link #WARM_SHARE}
 * flowfiles each, so that every free slot works at once; while the server's limit is not known yet, jobs of
 * about {@link #COLD_SHARE} flowfiles, and for a burst of n beyond 2,730 of about the square root of
 * {@link #COLD_SPREAD} times n (20,000 queued make 58 jobs of 345). Job count and job size then grow alike:
 * a server that takes few jobs still takes most of a burst at once, and a large burst is not cut into more
 * jobs than a server of moderate limit runs in one wave, which a fixed size did (158 jobs of 128 for 20,000,
 * three waves at a limit of 64). With 6, a burst of up to 24,000 is one wave at a limit of 64, 20,000 with six
 * slots to spare (8 made 50 jobs of 400 for 20,000: 5.6 s a job where 64 jobs take 5.25 s; 5 made 64, and a
 * single job more, another upload or another client's, waited a whole wave). A job never holds more files
 * than the server takes in one (1,000 on Zilliz Cloud, 1,024 on Milvus).
 *
 * @param perJob  how many flowfiles one job takes
 * @param fullAt  how many flowfiles of one target make a job's worth that starts without waiting (Max Batch Wait)
 * @param spreads whether a target with a job's worth queued starts all of it at once, in jobs of {@code perJob}
 *                (sized from the queue), rather than only its full jobs (a fixed Max Flowfiles per Job)
 */
record JobSizing(int perJob, int fullAt, boolean spreads) {

    /** The fewest flowfiles worth a job slot of their own: a job's fixed overhead on the server is worth many files' work. */
    static final int WARM_SHARE = 32;
    /** Flowfiles queued that make a job's worth while the server's limit is not known. */
    static final int COLD_SHARE = 128;
    /** While the server's limit is not known, a job of a large burst takes about the square root of this times the flowfiles queued. */
    static final int COLD_SPREAD = 6;

    /**
     * @param maxMembers Max Flowfiles per Job, or {@code null} when unset
     * @param freeSlots  the job slots the node may still fill, when the connection service knows them
     * @param queued     the flowfiles queued
     * @param maxFiles   the most files the server takes in one job
     */
    static JobSizing of(final Integer maxMembers, final OptionalInt freeSlots, final int queued, final int maxFiles) {
        if (maxMembers != null) {
            return new JobSizing(spread(maxMembers, freeSlots, queued), maxMembers, false);
        }
        final int share = freeSlots.isPresent() ? WARM_SHARE : COLD_SHARE;
        final int jobs = freeSlots.isPresent()
                ? Math.max(1, Math.min(freeSlots.getAsInt(), ceilDiv(queued, WARM_SHARE)))
                : Math.max(1, ceilDiv(queued, coldJobSize(queued)));
        final int perJob = Math.max(1, Math.min(maxFiles, ceilDiv(queued, jobs)));
        return new JobSizing(perJob, Math.min(share, maxFiles), true);
    }

    /** The jobs what is queued would fill at the smallest size this sizing makes: fewer free slots than this are worth bringing up to date. */
    static int slotsWanted(final Integer maxMembers, final int queued) {
        return Math.max(1, ceilDiv(queued, maxMembers != null ? maxMembers : WARM_SHARE));
    }

    /** A fixed Max Flowfiles per Job, spread over the free slots when they are known. */
    private static int spread(final int maxMembers, final OptionalInt freeSlots, final int queued) {
        if (maxMembers == 1 || freeSlots.isEmpty() || freeSlots.getAsInt() == 0) {
            return maxMembers;
        }
        return Math.max(1, Math.min(maxMembers, ceilDiv(queued, freeSlots.getAsInt())));
    }

    private static int coldJobSize(final int queued) {
        return Math.max(COLD_SHARE, (int) Math.ceil(Math.sqrt((double) COLD_SPREAD * Math.max(0, queued))));
    }

    private static int ceilDiv(final int a, final int b) {
        return Math.ceilDiv(a, b);
    }
}
