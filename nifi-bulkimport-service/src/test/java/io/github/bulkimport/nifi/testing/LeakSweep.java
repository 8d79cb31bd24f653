package io.github.bulkimport.nifi.testing;

import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * After every test, looks for secrets in everything each runner built by {@link Runners} recorded
 * (see {@link LeakCheck}). Registered for every test class through JUnit's extension autodetection,
 * so that no test can skip it.
 */
public final class LeakSweep implements AfterEachCallback {

    private static final List<TestRunner> RUNNERS = new ArrayList<>();

    static synchronized void track(final TestRunner runner) {
        RUNNERS.add(runner);
    }

    @Override
    public void afterEach(final ExtensionContext context) {
        final List<TestRunner> runners;
        synchronized (LeakSweep.class) {
            runners = List.copyOf(RUNNERS);
            RUNNERS.clear();
        }
        runners.forEach(runner -> LeakCheck.assertNoSecrets(runner, Runners.SERVICE_ID));
    }
}
