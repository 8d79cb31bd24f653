package io.github.bulkimport.benchmark;

import org.apache.nifi.util.TestRunner;

import java.lang.reflect.Field;
import java.util.Collection;

/**
 * nifi-mock's TestRunner keeps every session it ever created in a copy-on-write set: each new
 * session copies the whole set, and none is ever freed. In NiFi a committed session is gone. The
 * benchmark therefore empties that set between chunks, for every configuration alike, so that it
 * measures the processors rather than the test harness's bookkeeping.
 */
final class TestRunnerSessions {

    private TestRunnerSessions() {
    }

    static void forget(final TestRunner runner) {
        try {
            final Field factoryField = runner.getClass().getDeclaredField("sessionFactory");
            factoryField.setAccessible(true);
            final Object factory = factoryField.get(runner);
            final Field sessionsField = factory.getClass().getDeclaredField("createdSessions");
            sessionsField.setAccessible(true);
            ((Collection<?>) sessionsField.get(factory)).clear();
        } catch (final ReflectiveOperationException e) {
            throw new IllegalStateException("this nifi-mock keeps its sessions elsewhere; adapt TestRunnerSessions", e);
        }
    }
}
