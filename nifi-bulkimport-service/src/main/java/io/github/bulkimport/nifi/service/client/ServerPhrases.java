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
     * "not exist" or "not found". Each clause's first "job" is looked at, and each phrase is searched
     * from where its last search ended, never again over text already searched.
     */
    boolean jobNotFound() {
        if (text.contains("no such job")) {
            return true;
        }
        final Phrase notExist = new Phrase("not exist");
        final Phrase notFound = new Phrase("not found");
        for (int job = text.indexOf("job"); job >= 0; ) {
            final int colon = text.indexOf(':', job);
            final int clauseEnd = colon < 0 ? text.length() : colon;
            if (notExist.within(job + 3, clauseEnd) || notFound.within(job + 3, clauseEnd)) {
                return true;
            }
            job = colon < 0 ? -1 : text.indexOf("job", colon + 1);
        }
        return false;
    }

    /** A phrase's next occurrence, searched again only once a search starts past it. */
    private final class Phrase {
        private final String words;
        private int next = -2;

        Phrase(final String words) {
            this.words = words;
        }

        /** Whether the phrase occurs between {@code from} and {@code end}; {@code from} never decreases. */
        boolean within(final int from, final int end) {
            if (next != -1 && next < from) {
                next = text.indexOf(words, from);
            }
            return next >= 0 && next + words.length() <= end;
        }
    }
}
