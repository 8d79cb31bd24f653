package io.github.bulkimport.nifi.testing;

import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.service.StandardBulkImportConnectionService;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.util.function.BiConsumer;

/**
 * The one fixture for runners: TestRunners wired to a connection service that points at a test
 * server, each swept for secrets after the test ({@link LeakSweep}).
 */
public final class Runners {

    public static final String SERVICE_ID = "bulkimport-service";
    public static final String CLUSTER_ID = "in01-0123456789abcdef";

    private Runners() {
    }

    /** A Zilliz Cloud service with a cluster and all storage credentials set. */
    public static TestRunner zilliz(final Processor processor, final String endpoint) {
        return withService(processor, endpoint, Deployment.ZILLIZ_CLOUD, Secrets.API_KEY, (runner, service) -> {
            runner.setProperty(service, StandardBulkImportConnectionService.CLUSTER_ID, CLUSTER_ID);
            runner.setProperty(service, StandardBulkImportConnectionService.STORAGE_ACCESS_KEY, Secrets.ACCESS_KEY);
            runner.setProperty(service, StandardBulkImportConnectionService.STORAGE_SECRET_KEY, Secrets.SECRET_KEY);
            runner.setProperty(service, StandardBulkImportConnectionService.STORAGE_SESSION_TOKEN, Secrets.SESSION_TOKEN);
        });
    }

    /** A self-hosted Milvus service with a user:password token. */
    public static TestRunner milvus(final Processor processor, final String endpoint) {
        return withService(processor, endpoint, Deployment.MILVUS, Secrets.MILVUS_TOKEN, (runner, service) -> { });
    }

    /** A self-hosted Milvus service of the caller's (a subclass that records or injects faults), with a user:password token. */
    public static TestRunner milvus(final Processor processor, final String endpoint, final StandardBulkImportConnectionService service) {
        return withService(processor, endpoint, Deployment.MILVUS, Secrets.MILVUS_TOKEN, service, (runner, unused) -> { });
    }

    private static TestRunner withService(final Processor processor, final String endpoint, final Deployment deployment, final String token,
                                          final BiConsumer<TestRunner, StandardBulkImportConnectionService> more) {
        return withService(processor, endpoint, deployment, token, new StandardBulkImportConnectionService(), more);
    }

    private static TestRunner withService(final Processor processor, final String endpoint, final Deployment deployment, final String token,
                                          final StandardBulkImportConnectionService service,
                                          final BiConsumer<TestRunner, StandardBulkImportConnectionService> more) {
        final TestRunner runner = TestRunners.newTestRunner(processor);
        LeakSweep.track(runner);
        try {
            runner.addControllerService(SERVICE_ID, service);
        } catch (final InitializationException e) {
            throw new AssertionError(e);
        }
        runner.setProperty(service, StandardBulkImportConnectionService.DEPLOYMENT, deployment);
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, endpoint);
        runner.setProperty(service, StandardBulkImportConnectionService.API_KEY, token);
        runner.setProperty(service, StandardBulkImportConnectionService.RESPONSE_TIMEOUT, "2 secs");
        more.accept(runner, service);
        return finish(runner, service);
    }

    private static TestRunner finish(final TestRunner runner, final StandardBulkImportConnectionService service) {
        runner.enableControllerService(service);
        runner.setProperty("Connection Service", SERVICE_ID);
        runner.setValidateExpressionUsage(true);
        return runner;
    }
}
