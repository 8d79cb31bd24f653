package io.github.bulkimport.nifi.api;

/**
 * Asks for one page of import jobs. Milvus ignores paging and answers every job at once.
 *
 * @param collection only this collection's jobs, or {@code null} for all
 * @param database   the database to list in, or {@code null} for the default
 * @param page       1-based page number
 * @param pageSize   jobs per page
 */
public record PageRequest(String collection, String database, int page, int pageSize) {

    public PageRequest {
        if (page < 1 || pageSize < 1) {
            throw new IllegalArgumentException("pages are numbered from 1 and hold at least one job");
        }
    }

    /** The page after this one. */
    public PageRequest next() {
        return new PageRequest(collection, database, page + 1, pageSize);
    }
}
