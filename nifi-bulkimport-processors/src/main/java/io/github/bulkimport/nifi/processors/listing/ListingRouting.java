package io.github.bulkimport.nifi.processors.listing;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.processors.common.Routing;
import io.github.bulkimport.nifi.processors.common.ThrottleGate;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;

/**
 * How a listing ends when it cannot go on: it takes no flowfile, so nothing is emitted and nothing
 * remembered (the session is rolled back), and the next run lists again.
 */
final class ListingRouting extends Routing {

    ListingRouting(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service, final ComponentLog log,
                   final ThrottleGate throttleGate) {
        super(context, session, service, log, throttleGate, ListBulkImportJobs.REL_SUCCESS, "listing bulk-import jobs");
    }

    /** Gives up this listing: nothing emitted, the state left alone, and the processor yields. */
    void giveUp(final String why) {
        session.rollback();
        error(why + "; nothing emitted, the listing will be repeated");
        context.yield();
    }

    /** The one guard of a source: no flowfile to route, the listing is given up. */
    @Override
    public void failUnrouted(final Throwable e) {
        giveUp("Unexpected error while listing bulk-import jobs (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
}
