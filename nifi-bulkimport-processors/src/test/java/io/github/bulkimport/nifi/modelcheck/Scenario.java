package io.github.bulkimport.nifi.modelcheck;

import io.github.bulkimport.nifi.processors.listing.ListBulkImportJobs;
import io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress;
import io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.emulator.FaultType;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One sequence of the model check: a configuration and the steps to run against it, drawn from a
 * seed.
 *
 * @param serverKeys     whether the server honours Idempotency-Key
 * @param jobMemorySize  TriggerBulkImport's Job Memory Size (0: off)
 * @param twoPhase       whether jobs are started with auto_commit = false, to be committed or aborted
 * @param options        the rest of the configuration
 */
record Scenario(long seed, Deployment deployment, boolean serverKeys, Secrets secrets, int maxFlowFilesPerJob, int maxInFlight, int threads,
                int jobMemorySize, boolean changesOnly, boolean twoPhase, Options options, List<Step> steps) {

    /**
     * @param collections   1, or 2 when uploads go to either of two collections
     * @param customKey     whether Idempotency Key is set, to the upload's identity
     * @param numpy         whether files are NumPy sets named through Object URLs
     * @param maxWaitMillis GetBulkImportProgress's Maximum Wait Time
     * @param pageSize      ListBulkImportJobs' Page Size (Zilliz Cloud pages)
     * @param fromNowOn     whether the first listing only records where jobs stand
     * @param recordWriter  whether the listing is written by a Record Writer
     * @param strictActions whether the server refuses a repeated commit and an abort of a Failed job
     * @param validate      whether ValidateBulkImportFile checks each file (its content) before TriggerBulkImport
     * @param batchWaitMillis TriggerBulkImport's Max Batch Wait
     */
    /**
     * @param serverJobLimit the server's active-job limit, which the connection service learns from its refusals (0: none)
     */
    record Options(int collections, boolean customKey, boolean numpy, long maxWaitMillis, int pageSize, boolean fromNowOn, boolean recordWriter,
                   boolean strictActions, boolean validate, long batchWaitMillis, int serverJobLimit) {

        static Options draw(final Random random) {
            return new Options(random.nextInt(3) == 0 ? 2 : 1, random.nextInt(3) == 0, random.nextInt(4) == 0,
                    random.nextInt(4) == 0 ? 150 : 24L * 60 * 60 * 1000, pick(random, 2, 3, 100), random.nextInt(3) == 0, random.nextInt(4) == 0,
                    random.nextBoolean(), random.nextInt(3) == 0, random.nextInt(3) == 0 ? 40 : 0, pick(random, 0, 0, 1, 3));
        }

        @Override
        public String toString() {
            return "collections=" + collections + (customKey ? ", custom key" : "") + (numpy ? ", NumPy sets" : "") + ", Maximum Wait Time="
                    + maxWaitMillis + " ms, Page Size=" + pageSize + (fromNowOn ? ", From Now On" : "") + (recordWriter ? ", Record Writer" : "")
                    + (strictActions ? ", strict actions" : "") + (validate ? ", validated" : "")
                    + (batchWaitMillis > 0 ? ", Max Batch Wait=" + batchWaitMillis + " ms" : "")
                    + (serverJobLimit > 0 ? ", server job limit=" + serverJobLimit : "");
        }
    }

    /** Faults that make TestRunner wait for real time are drawn less often. */
    private static final List<FaultType> SLOW_FAULTS = List.of(FaultType.SLOW, FaultType.DRIP, FaultType.HUGE_DECLARED);

    static Scenario draw(final long seed) {
        final Random random = new Random(seed);
        final Deployment deployment = random.nextBoolean() ? Deployment.MILVUS : Deployment.ZILLIZ_CLOUD;
        final boolean twoPhase = random.nextInt(3) == 0;
        final List<Step> steps = new ArrayList<>();
        final int length = 4 + random.nextInt(20);
        for (int i = 0; i < length; i++) {
            steps.add(step(random, i == 0, twoPhase));
        }
        return new Scenario(seed, deployment, random.nextInt(4) != 0, Secrets.draw(random, deployment),
                pick(random, 0, 1, 1, 2, 4, 10), pick(random, 1, 2, 4), pick(random, 1, 1, 2, 4), pick(random, 0, 1_000, 1_000),
                random.nextBoolean(), twoPhase, Options.draw(random), List.copyOf(steps));
    }

    Scenario withSteps(final List<Step> fewer) {
        return new Scenario(seed, deployment, serverKeys, secrets, maxFlowFilesPerJob, maxInFlight, threads, jobMemorySize, changesOnly, twoPhase,
                options, List.copyOf(fewer));
    }

    private static Step step(final Random random, final boolean first, final boolean twoPhase) {
        final int roll = first ? 0 : random.nextInt(100);
        if (roll < 20) {
            final List<Step.Upload> uploads = new ArrayList<>();
            final int count = 1 + random.nextInt(6);
            for (int i = 0; i < count; i++) {
                uploads.add(upload(random));
            }
            return new Step.Enqueue(uploads, random.nextInt(10) == 0 ? 2 + random.nextInt(3) : 1, random.nextInt(16));
        }
        if (roll < 36) {
            FaultType type = FaultType.values()[random.nextInt(FaultType.values().length)];
            if (SLOW_FAULTS.contains(type) && random.nextInt(3) != 0) {
                type = FaultType.LOST_REPLY;
            }
            final String operation = switch (random.nextInt(twoPhase ? 9 : 7)) {
                case 0 -> "describe";
                case 1 -> "list";
                case 6 -> "collections/describe";
                case 7 -> "commit";
                case 8 -> "abort";
                default -> "create";
            };
            if ("list".equals(operation) && random.nextBoolean()) {
                // the listing's own trouble: pages that shift while they are read
                type = FaultType.SHIFTED_PAGE;
            }
            if ("collections/describe".equals(operation) && random.nextBoolean()) {
                // a throttled description: the run that meets it must ask no more
                type = FaultType.HTTP_429;
            }
            return new Step.Misbehave(type, operation, 1 + random.nextInt(2));
        }
        if (twoPhase && roll >= 48 && roll < 58) {
            return new Step.RunAction(random.nextInt(10) < 6, random.nextBoolean());
        }
        if (roll < 53) {
            return new Step.RunTrigger(1 + random.nextInt(3));
        }
        if (roll < 58) {
            return new Step.RunValidate(1 + random.nextInt(2));
        }
        if (roll < 65) {
            return new Step.Crash(random.nextBoolean());
        }
        if (roll < 75) {
            return new Step.Replay(random.nextInt(4) == 0, random.nextInt(3) == 0);
        }
        if (twoPhase && roll < 78) {
            return new Step.RunProgress(1, false);
        }
        if (roll < 80) {
            return new Step.RunProgress(1 + random.nextInt(2), random.nextBoolean());
        }
        if (roll < 88) {
            return new Step.RunList();
        }
        if (roll < 92) {
            return new Step.Copy(Step.Place.values()[random.nextInt(Step.Place.values().length)], random.nextInt(8));
        }
        if (roll < 98) {
            // in two-phase sequences, jobs are aborted: their flowfiles come back
            final Step.Again why = twoPhase && random.nextBoolean() ? Step.Again.ABORTED
                    : Step.Again.values()[random.nextInt(Step.Again.values().length)];
            return new Step.SendAgain(why, random.nextInt(8));
        }
        return random.nextBoolean() ? new Step.Verify(upload(random)) : new Step.BreakWriter();
    }

    private static Step.Upload upload(final Random random) {
        final int roll = random.nextInt(100);
        if (roll < 4) {
            return Step.Upload.HALF_S3;
        }
        if (roll < 8) {
            return Step.Upload.BAD_EXPRESSION;
        }
        if (roll < 13) {
            return Step.Upload.FAILING_FILE;
        }
        if (roll < 16) {
            return Step.Upload.HOSTILE_FILE;
        }
        return roll < 60 ? Step.Upload.S3 : roll < 80 ? Step.Upload.GCS : Step.Upload.AZURE;
    }

    private static int pick(final Random random, final int... values) {
        return values[random.nextInt(values.length)];
    }

    @Override
    public String toString() {
        final StringBuilder text = new StringBuilder();
        text.append("seed=").append(seed).append(' ').append(deployment).append(serverKeys ? " server honours keys" : " server ignores keys")
                .append(", Max Flowfiles per Job=").append(maxFlowFilesPerJob == 0 ? "unset" : String.valueOf(maxFlowFilesPerJob)).append(", Max Requests in Flight=").append(maxInFlight)
                .append(", tasks=").append(threads).append(", Job Memory Size=").append(jobMemorySize)
                .append(changesOnly ? ", Changes Only" : ", All Jobs").append(twoPhase ? ", two-phase" : "").append(", ").append(options)
                .append(", secrets=").append(secrets).append('\n');
        for (int i = 0; i < steps.size(); i++) {
            text.append("  ").append(i + 1).append(". ").append(steps.get(i)).append('\n');
        }
        return text.toString();
    }

    /**
     * The secrets of a sequence, in awkward forms: whitespace around the API key, '/', '+', ':' and
     * '=' inside, non-ASCII letters (Latin-1 in the API key, which travels in a header; any in the
     * storage keys, which travel in JSON).
     */
    record Secrets(String apiKey, String accessKey, String secretKey, String sessionToken) {

        private static final String PLAIN = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        private static final String AWKWARD = "/+:=é";
        private static final String WIDE = "/+:=éö€日";

        static Secrets draw(final Random random, final Deployment deployment) {
            String apiKey = deployment == Deployment.MILVUS ? "root:" + word(random, 18, AWKWARD) : "sk-" + word(random, 26, AWKWARD);
            switch (random.nextInt(4)) {
                case 0 -> apiKey = apiKey + " ";
                case 1 -> apiKey = " " + apiKey;
                default -> { }
            }
            return new Secrets(apiKey, "AKIA" + word(random, 16, ""), word(random, 36, WIDE), "Fwo" + word(random, 40, WIDE));
        }

        private static String word(final Random random, final int length, final String extra) {
            final StringBuilder word = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                final boolean awkward = !extra.isEmpty() && random.nextInt(6) == 0;
                final String alphabet = awkward ? extra : PLAIN;
                word.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            return word.toString();
        }

        List<String> all() {
            return List.of(apiKey, accessKey, secretKey, sessionToken);
        }

        @Override
        public String toString() {
            return "[api key '" + apiKey + "', access '" + accessKey + "', secret '" + secretKey + "', token '" + sessionToken + "']";
        }
    }
}
