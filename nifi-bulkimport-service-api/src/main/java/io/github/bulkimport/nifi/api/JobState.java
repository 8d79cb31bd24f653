package io.github.bulkimport.nifi.api;

import java.util.Locale;

/**
 * Job states of the v2 API, with the names older Milvus releases used mapped onto them.
 */
public enum JobState {
    PENDING("Pending"),
    IMPORTING("Importing"),
    /** Two-phase import (Milvus 2.6+, {@code auto_commit=false}): data staged, waiting for commit. */
    UNCOMMITTED("Uncommitted"),
    COMMITTING("Committing"),
    COMPLETED("Completed"),
    FAILED("Failed"),
    /** A state name this bundle does not know; the raw name is kept beside it. */
    UNKNOWN("Unknown");

    private final String apiName;

    JobState(final String apiName) {
        this.apiName = apiName;
    }

    /** The name the current API uses, and the value written to {@code bulkimport.state}. */
    public String apiName() {
        return apiName;
    }

    /**
     * The name to show users: the current API's name, or for a state this bundle does not know,
     * the name the server sent.
     */
    public String displayName(final String rawState) {
        return this == UNKNOWN && rawState != null ? rawState : apiName;
    }

    /** Maps a state name from any server version; never returns {@code null}. */
    public static JobState fromApiName(final String name) {
        if (name == null || name.isBlank()) {
            return UNKNOWN;
        }
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "pending", "importpending" -> PENDING;
            case "importing", "inprogress", "importstarted", "importpersisted", "importflushed", "importindexed" -> IMPORTING;
            case "uncommitted" -> UNCOMMITTED;
            case "committing" -> COMMITTING;
            case "completed", "importcompleted" -> COMPLETED;
            case "failed", "importfailed", "importfailedandcleaned" -> FAILED;
            default -> UNKNOWN;
        };
    }
}
