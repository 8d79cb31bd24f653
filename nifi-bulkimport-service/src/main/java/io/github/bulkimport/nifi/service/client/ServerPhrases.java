package io.github.bulkimport.nifi.service.client;

import java.util.Locale;

/**
 * What an error message of the server says, read from the phrases both servers use: its job limit,
 * a rate limit, a job it does not know. Plain searches over a bounded head of the message, in time
 * linear in it: the message is the server's text, of any length.
 */
final class ServerPhrases {

    /** The servers' messages are short; a phrase past this many characters is no message of theirs. */
    static final int WINDOW = 4_096;

    private final String text;

    private ServerPhrases(final String text) {
        this.text = text;
    }

    static ServerPhrases of(final String message) {
        final String head = message.length() > WINDOW ? message.substring(0, WINDOW) : message;
        return new ServerPhrases(head.toLowerCase(Locale.ROOT));
    }

    /** Milvus: "The number of jobs has reached the limit, please try again later". */
    boolean jobLimit() {
        return text.contains("reached the limit");
    }

    boolean rateLimit() {
        return text.contains("rate limit") || text.contains("too many requests") || text.contains("request limit exceeded");
    }

    /**
     * "import job does not exist, jobID=...", "job ... not found", "no such job": a "job" followed, before
     * the next colon (where Milvus's {@code <detail>: <base message>} moves on to another clause), by
     * "not exist" or "not found".
     */
    boolean jobNotFound() {
        if (text.contains("no such job")) {
            return true;
        }
        int clauseStart = 0;
        while (clauseStart <= text.length()) {
            final int colon = text.indexOf(':', clauseStart);
            final int clauseEnd = colon < 0 ? text.length() : colon;
            final int job = indexWithin("job", clauseStart, clauseEnd);
            if (job >= 0 && (indexWithin("not exist", job + 3, clauseEnd) >= 0 || indexWithin("not found", job + 3, clauseEnd) >= 0)) {
                return true;
            }
            clauseStart = clauseEnd + 1;
        }
        return false;
    }

    /** Where the phrase first occurs between {@code from} and {@code end}, searching no further: -1 when it does not. */
    private int indexWithin(final String phrase, final int from, final int end) {
        for (int at = from; at + phrase.length() <= end; at++) {
            if (text.startsWith(phrase, at)) {
                return at;
            }
        }
        return -1;
    }
}
