package io.github.bulkimport.nifi.processors.trigger.memory;

/**
 * What is remembered of a started job, for one flowfile's share of it.
 *
 * @param batchIndex the share's position in the request, from 0
 * @param batchSize  how many flowfiles the request was for
 */
public record RememberedJob(String jobId, long submittedAtMillis, int batchIndex, int batchSize) {

    String encode() {
        return jobId + "|" + submittedAtMillis + "|" + batchIndex + "|" + batchSize;
    }

    static RememberedJob decode(final String value) {
        // the job ID comes first and may in principle hold '|': read the numbers from the right
        final int third = value.lastIndexOf('|');
        final int second = value.lastIndexOf('|', third - 1);
        final int first = value.lastIndexOf('|', second - 1);
        if (first <= 0) {
            return null;
        }
        try {
            return new RememberedJob(value.substring(0, first), Long.parseLong(value.substring(first + 1, second)),
                    Integer.parseInt(value.substring(second + 1, third)), Integer.parseInt(value.substring(third + 1)));
        } catch (final NumberFormatException e) {
            return null;
        }
    }
}
