package io.github.bulkimport.nifi.service;

import java.util.function.LongSupplier;

/**
 * How many jobs this node may keep unfinished on the server: at most Max Active Jobs when it is set, and
 * at most what the server was last seen to take. A start the server refused for its job limit says the
 * server is full: the jobs this node then knows unfinished are its share of the server's limit, learned.
 * The share is probed upward again, slowly at first: once a while after the refusal, one start beyond it
 * is tried, and each one the server takes raises the share and lets twice as many be tried next, until the
 * server refuses again. In a cluster each node learns its own share of the one limit this way, and a node
 * whose share the others left free grows into it.
 */
final class JobLimit {

    /** No limit learned, no ceiling: the server decides alone. */
    static final int UNKNOWN = Integer.MAX_VALUE;
    /** How long after a refusal the share is probed again. */
    static final long PROBE_AFTER_MILLIS = 1_000;
    /** The most starts beyond the share tried at once. */
    static final int MAX_PROBES = 64;

    private final int ceiling;
    private final LongSupplier clock;
    private int learned = UNKNOWN;
    private int probes = 1;
    private long probeAt;

    /** @param ceiling Max Active Jobs, 0 for none */
    JobLimit(final int ceiling, final LongSupplier clock) {
        this.ceiling = ceiling;
        this.clock = clock;
    }

    /** Whether any limit is known: a ceiling, or a share learned from the server. */
    synchronized boolean known() {
        return ceiling > 0 || learned != UNKNOWN;
    }

    /** The jobs this node may keep unfinished now, probes included; {@link #UNKNOWN} when nothing limits it. */
    synchronized int now() {
        final int share = learned == UNKNOWN ? UNKNOWN : learned + (clock.getAsLong() >= probeAt ? probes : 0);
        return ceiling > 0 ? Math.min(ceiling, share) : share;
    }

    /** The jobs this node may keep unfinished without probing: the share learned (or the ceiling); {@link #UNKNOWN} when nothing limits it. */
    synchronized int share() {
        return ceiling > 0 ? Math.min(ceiling, learned) : learned;
    }

    /** The server refused a start for its job limit while this node knew {@code unfinished} jobs: that is its share. */
    synchronized void refused(final int unfinished) {
        learned = ceiling > 0 ? Math.min(ceiling, unfinished) : unfinished;
        probes = 1;
        probeAt = clock.getAsLong() + PROBE_AFTER_MILLIS;
    }

    /** The server took a start, leaving this node with {@code unfinished} jobs: a share above the learned one is the server's to give. */
    synchronized void took(final int unfinished) {
        if (learned != UNKNOWN && unfinished > learned) {
            learned = unfinished;
            probes = Math.min(MAX_PROBES, probes * 2);
        }
    }

    /** The share learned, for messages; {@link #UNKNOWN} when none. */
    synchronized int learned() {
        return learned;
    }

    int ceiling() {
        return ceiling;
    }
}
