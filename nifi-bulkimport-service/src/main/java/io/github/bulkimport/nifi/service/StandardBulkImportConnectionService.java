package io.github.bulkimport.nifi.service;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.JobPage;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.Operation;
import io.github.bulkimport.nifi.api.PageRequest;
import io.github.bulkimport.nifi.api.VisibleText;
import io.github.bulkimport.nifi.service.client.ClientConfig;
import io.github.bulkimport.nifi.service.client.CloudLocation;
import io.github.bulkimport.nifi.service.client.ImportApiClient;
import io.github.bulkimport.nifi.service.client.ProxySettings;
import io.github.bulkimport.nifi.service.client.SecretRedactor;
import io.github.bulkimport.nifi.service.client.StorageCredentials;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.lifecycle.OnDisabled;
import org.apache.nifi.annotation.lifecycle.OnEnabled;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.context.PropertyContext;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.controller.VerifiableControllerService;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.migration.PropertyConfiguration;
import org.apache.nifi.processor.util.StandardValidators;
import org.apache.nifi.proxy.ProxyConfiguration;
import org.apache.nifi.proxy.ProxySpec;
import org.apache.nifi.ssl.SSLContextProvider;

import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

@Tags({"milvus", "zilliz", "vector", "bulk import", "import", "connection", "credentials"})
@CapabilityDescription("Holds the endpoint and credentials of a Zilliz Cloud cluster or a self-hosted Milvus instance, and one pooled "
        + "HTTP client shared by the bulk-import processors. The API key, the storage keys and the session token live only here.")
@SeeAlso(classNames = {
        "io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport",
        "io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress",
        "io.github.bulkimport.nifi.processors.listing.ListBulkImportJobs"})
public class StandardBulkImportConnectionService extends AbstractControllerService
        implements BulkImportConnectionService, VerifiableControllerService {

    public static final String DEFAULT_ZILLIZ_ENDPOINT = "https://api.cloud.zilliz.com";

    public static final PropertyDescriptor DEPLOYMENT = new PropertyDescriptor.Builder()
            .name("Deployment")
            .description("Which server answers: Zilliz Cloud (files are object-store URLs read with the storage keys below) or "
                    + "self-hosted Milvus (files are paths inside Milvus's own bucket).")
            .required(true)
            .allowableValues(Deployment.class)
            .defaultValue(Deployment.ZILLIZ_CLOUD)
            .build();

    public static final PropertyDescriptor ENDPOINT_URL = new PropertyDescriptor.Builder()
            .name("Endpoint URL")
            .description("Base URL of the import API. Zilliz Cloud: " + DEFAULT_ZILLIZ_ENDPOINT + " (or https://api.cloud.zilliz.com.cn). "
                    + "Milvus: the address of the Milvus proxy, for example http://milvus.example.com:19530 (REST is served on the gRPC port).")
            .required(true)
            .defaultValue(DEFAULT_ZILLIZ_ENDPOINT)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.URL_VALIDATOR)
            .build();

    public static final PropertyDescriptor API_KEY = new PropertyDescriptor.Builder()
            .name("API Key or Token")
            .description("Sent as 'Authorization: Bearer ...'. Zilliz Cloud: an API key. Milvus: a token, or user:password.")
            .required(true)
            .sensitive(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor CLUSTER_ID = new PropertyDescriptor.Builder()
            .name("Cluster ID")
            .description("The Zilliz Cloud cluster that imports run on, for example in01-0123456789abcdef. "
                    + "Leave empty when using Project ID and Region ID instead.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(DEPLOYMENT, Deployment.ZILLIZ_CLOUD)
            .build();

    public static final PropertyDescriptor PROJECT_ID = new PropertyDescriptor.Builder()
            .name("Project ID")
            .description("Zilliz Cloud project, for project-level databases. Use with Region ID instead of Cluster ID.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(DEPLOYMENT, Deployment.ZILLIZ_CLOUD)
            .build();

    public static final PropertyDescriptor REGION_ID = new PropertyDescriptor.Builder()
            .name("Region ID")
            .description("Zilliz Cloud region of the project, for example aws-us-west-2. Use with Project ID.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(DEPLOYMENT, Deployment.ZILLIZ_CLOUD)
            .build();

    public static final PropertyDescriptor CLUSTER_ENDPOINT = new PropertyDescriptor.Builder()
            .name("Cluster Endpoint")
            .description("The Zilliz Cloud cluster's own endpoint, for example https://in01-0123456789abcdef.aws-us-west-2.vectordb.zillizcloud.com "
                    + "(the cluster's Public Endpoint in the Zilliz Cloud console). Import jobs run through the control plane (Endpoint URL), "
                    + "but collections are described only by the cluster itself: ValidateBulkImportFile and TriggerBulkImport's Verify read "
                    + "the collection's schema there. Not needed to import. Milvus serves both at Endpoint URL.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.URL_VALIDATOR)
            .dependsOn(DEPLOYMENT, Deployment.ZILLIZ_CLOUD)
            .build();

    public static final PropertyDescriptor STORAGE_ACCESS_KEY = new PropertyDescriptor.Builder()
            .name("Storage Access Key")
            .description("Access key Zilliz Cloud uses to read the files (Azure: the storage account name). "
                    + "Leave empty when the cluster already has access to the bucket.")
            .required(false)
            .sensitive(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(DEPLOYMENT, Deployment.ZILLIZ_CLOUD)
            .build();

    public static final PropertyDescriptor STORAGE_SECRET_KEY = new PropertyDescriptor.Builder()
            .name("Storage Secret Key")
            .description("Secret key that goes with Storage Access Key (Azure: the account key).")
            .required(false)
            .sensitive(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(DEPLOYMENT, Deployment.ZILLIZ_CLOUD)
            .build();

    public static final PropertyDescriptor STORAGE_SESSION_TOKEN = new PropertyDescriptor.Builder()
            .name("Storage Session Token")
            .description("Session token for short-term storage credentials, used with Storage Access Key and Storage Secret Key.")
            .required(false)
            .sensitive(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(DEPLOYMENT, Deployment.ZILLIZ_CLOUD)
            .build();

    public static final PropertyDescriptor CONNECT_TIMEOUT = new PropertyDescriptor.Builder()
            .name("Connect Timeout")
            .description("How long to wait to open a connection (and to get one from the pool).")
            .required(true)
            .defaultValue("10 secs")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor RESPONSE_TIMEOUT = new PropertyDescriptor.Builder()
            .name("Response Timeout")
            .description("How long a call may take once connected, from sending the request to the end of the answer; a call not answered "
                    + "in full by then is cancelled and its connection closed. Milvus itself gives up on a request after 30 seconds.")
            .required(true)
            .defaultValue("30 secs")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor MAX_CONNECTIONS = new PropertyDescriptor.Builder()
            .name("Max Connections")
            .description("Size of the shared connection pool: the most requests in flight at once across all processors using this service.")
            .required(true)
            .defaultValue("10")
            .addValidator(StandardValidators.createLongValidator(1, 1000, true))
            .build();

    public static final PropertyDescriptor MAX_ACTIVE_JOBS = new PropertyDescriptor.Builder()
            .name("Max Active Jobs")
            .description("An optional ceiling on the import jobs this service keeps unfinished at once on this node (started, not yet "
                    + "seen Completed or Failed). Rarely needed: the service learns the server's own limit (Milvus's maxImportJobNum, "
                    + "Zilliz Cloud's per-collection limit) from its answers: a start the server refuses for its job limit makes the jobs this "
                    + "node then has unfinished its share, later starts beyond the share are refused here without a call, and the share is "
                    + "probed upward again a second later, faster while the server keeps taking them. TriggerBulkImport leaves refused "
                    + "flowfiles queued and sizes its jobs from the slots still free. A full node lists the database (at most twice a second) "
                    + "and describes jobs it has not seen for 5 seconds, to learn which finished. Once enabled (after a restart too), the "
                    + "service lists the server's jobs in a database once, before its first start there, and counts every job still "
                    + "unfinished, whoever started it; no start there is admitted until that listing succeeds. Set it to keep this node "
                    + "below the server's limit, for example to leave room for other clients; in a cluster each node learns its own share.")
            .required(false)
            .addValidator(StandardValidators.createLongValidator(1, 100_000, true))
            .build();

    public static final PropertyDescriptor SSL_CONTEXT_SERVICE = new PropertyDescriptor.Builder()
            .name("SSL Context Service")
            .description("TLS settings for https endpoints, for example a private CA in front of Milvus. Without it the JVM's trust store is used.")
            .required(false)
            .identifiesControllerService(SSLContextProvider.class)
            .build();

    /** HTTP proxies, with or without Basic authentication; NiFi's own descriptor, as InvokeHTTP uses it. */
    private static final ProxySpec[] PROXY_SPECS = {ProxySpec.HTTP, ProxySpec.HTTP_AUTH};
    public static final PropertyDescriptor PROXY_CONFIGURATION_SERVICE = ProxyConfiguration.createProxyConfigPropertyDescriptor(PROXY_SPECS);
    /** Names the proxy property has had: this bundle's first one, and NiFi's before and after its own rename. */
    private static final List<String> PROXY_PROPERTY_NAMES = List.of("Proxy Configuration Service", "proxy-configuration-service");

    static final List<PropertyDescriptor> PROPERTIES = List.of(
            DEPLOYMENT, ENDPOINT_URL, API_KEY, CLUSTER_ID, PROJECT_ID, REGION_ID, CLUSTER_ENDPOINT,
            STORAGE_ACCESS_KEY, STORAGE_SECRET_KEY, STORAGE_SESSION_TOKEN,
            CONNECT_TIMEOUT, RESPONSE_TIMEOUT, MAX_CONNECTIONS, MAX_ACTIVE_JOBS, SSL_CONTEXT_SERVICE, PROXY_CONFIGURATION_SERVICE);

    private volatile ImportApiClient client;
    private volatile Deployment deployment;
    private volatile LongSupplier millis = System::currentTimeMillis;
    private volatile ActiveJobs activeJobs = new ActiveJobs(0, System::currentTimeMillis);
    /** Calls made on a thread of their own (the listing ahead of the first start), told to the next start or sizing that can count them. */
    private final AtomicInteger callsAhead = new AtomicInteger();

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    protected Collection<ValidationResult> customValidate(final ValidationContext context) {
        final List<ValidationResult> problems = new ArrayList<>();
        final Deployment chosen = context.getProperty(DEPLOYMENT).asAllowableValue(Deployment.class);
        final String endpoint = context.getProperty(ENDPOINT_URL).evaluateAttributeExpressions().getValue();
        if (endpoint != null) {
            endpointProblem(endpoint, chosen).ifPresent(problem -> problems.add(invalid(ENDPOINT_URL, endpoint, problem)));
        }
        if (chosen == Deployment.ZILLIZ_CLOUD) {
            final String clusterEndpoint = context.getProperty(CLUSTER_ENDPOINT).evaluateAttributeExpressions().getValue();
            if (clusterEndpoint != null) {
                clusterEndpointProblem(clusterEndpoint).ifPresent(problem -> problems.add(invalid(CLUSTER_ENDPOINT, clusterEndpoint, problem)));
            }
            final boolean cluster = context.getProperty(CLUSTER_ID).isSet();
            final boolean project = context.getProperty(PROJECT_ID).isSet();
            final boolean region = context.getProperty(REGION_ID).isSet();
            if (!cluster && !(project && region)) {
                problems.add(invalid(CLUSTER_ID, null, "Zilliz Cloud needs Cluster ID, or Project ID together with Region ID"));
            }
            if (cluster && (project || region)) {
                problems.add(invalid(CLUSTER_ID, null, "set either Cluster ID, or Project ID with Region ID, not both"));
            }
            final boolean accessKey = context.getProperty(STORAGE_ACCESS_KEY).isSet();
            final boolean secretKey = context.getProperty(STORAGE_SECRET_KEY).isSet();
            if (accessKey != secretKey) {
                problems.add(invalid(STORAGE_SECRET_KEY, null, "Storage Access Key and Storage Secret Key must be set together"));
            }
            if (context.getProperty(STORAGE_SESSION_TOKEN).isSet() && !(accessKey && secretKey)) {
                problems.add(invalid(STORAGE_SESSION_TOKEN, null, "Storage Session Token needs Storage Access Key and Storage Secret Key"));
            }
        }
        ProxyConfiguration.validateProxySpec(context, problems, PROXY_SPECS);
        return problems;
    }

    @Override
    public void migrateProperties(final PropertyConfiguration config) {
        // NiFi renamed its proxy property between versions: keep the setting whichever name the flow saved it under
        for (final String name : PROXY_PROPERTY_NAMES) {
            if (!name.equals(PROXY_CONFIGURATION_SERVICE.getName())) {
                config.renameProperty(name, PROXY_CONFIGURATION_SERVICE.getName());
            }
        }
    }

    private static Optional<String> endpointProblem(final String endpoint, final Deployment chosen) {
        final URI uri;
        try {
            uri = URI.create(endpoint.trim());
        } catch (final IllegalArgumentException e) {
            return Optional.of("not a valid URL");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            return Optional.of("must start with http:// or https://");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("must not hold credentials; put them in API Key or Token");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return Optional.of("must not have a query string or fragment");
        }
        if (chosen == Deployment.MILVUS && uri.getHost() != null && uri.getHost().endsWith("cloud.zilliz.com")) {
            return Optional.of("points at Zilliz Cloud's control plane while Deployment is Milvus; give the Milvus address");
        }
        return Optional.empty();
    }

    private static Optional<String> clusterEndpointProblem(final String clusterEndpoint) {
        final Optional<String> problem = endpointProblem(clusterEndpoint, Deployment.ZILLIZ_CLOUD);
        if (problem.isPresent()) {
            return problem;
        }
        final String host = URI.create(clusterEndpoint.trim()).getHost();
        if (host != null && host.startsWith("api.cloud.zilliz.com")) {
            return Optional.of("is Zilliz Cloud's control plane; give the cluster's own endpoint (its Public Endpoint in the console)");
        }
        return Optional.empty();
    }

    private static ValidationResult invalid(final PropertyDescriptor property, final String input, final String explanation) {
        return new ValidationResult.Builder().subject(property.getName()).input(input).valid(false).explanation(explanation).build();
    }

    @OnEnabled
    public void onEnabled(final ConfigurationContext context) {
        final ClientConfig config = clientConfig(context);
        this.deployment = config.deployment();
        this.client = new ImportApiClient(config);
        this.activeJobs = new ActiveJobs(context.getProperty(MAX_ACTIVE_JOBS).isSet() ? context.getProperty(MAX_ACTIVE_JOBS).asInteger() : 0,
                millis);
        getLogger().debug("Enabled with {}", config);
    }

    /** Sets the clock, in milliseconds, of the jobs the service counts, from the next enable; tests set their own, so that waits take no time. */
    public void useClock(final LongSupplier clock) {
        this.millis = clock;
    }

    @OnDisabled
    public void onDisabled() {
        final ImportApiClient current = client;
        client = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public Deployment getDeployment() {
        final Deployment current = deployment;
        if (current == null) {
            throw new IllegalStateException("the connection service is not enabled");
        }
        return current;
    }

    private ImportApiClient client() {
        final ImportApiClient current = client;
        if (current == null) {
            throw new IllegalStateException("the connection service is not enabled");
        }
        return current;
    }

    @Override
    public String startJob(final ImportRequest request, final String idempotencyKey, final IntConsumer calls) throws ImportApiException {
        final ActiveJobs jobs = activeJobs;
        final ImportApiClient client = client();
        try {
            jobs.admit(request.target().database(), new AdmissionCalls(client, calls));
        } finally {
            // admission waited for any listing ahead: its calls are made, whether the start is admitted or not
            tellCallsAhead(calls);
        }
        boolean settled = false;
        try {
            calls.accept(1);
            final String jobId = client.createJob(request, idempotencyKey);
            jobs.started(new JobReference(jobId, request.target().database()));
            settled = true;
            return jobId;
        } catch (final ImportApiException e) {
            if (ImportApiClient.isJobLimit(e)) {
                jobs.refusedByServer();
                settled = true;
            }
            throw e;
        } finally {
            if (!settled) {
                jobs.released();
            }
        }
    }

    /** The calls Max Active Jobs makes to admit a start, each told to the start's caller; what they learn goes to ActiveJobs alone. */
    private record AdmissionCalls(ImportApiClient client, IntConsumer calls) implements ActiveJobs.Server {

        @Override
        public JobProgress describe(final JobReference job) throws ImportApiException {
            return client.describeJob(job, calls);
        }

        @Override
        public JobPage list(final PageRequest page) throws ImportApiException {
            calls.accept(1);
            return client.listJobs(page);
        }
    }

    @Override
    public OptionalInt freeJobSlots() {
        return activeJobs.free();
    }

    @Override
    public OptionalInt freeJobSlots(final int wanted, final IntConsumer calls) {
        final ActiveJobs jobs = activeJobs;
        if (wanted > 1) {
            // a burst is about to be taken and started: the jobs still running in the default database are counted meanwhile
            jobs.countAhead(null, new AdmissionCalls(client(), callsAhead::addAndGet));
        }
        jobs.refreshIfShort(wanted, new AdmissionCalls(client(), calls));
        tellCallsAhead(calls);
        return jobs.free();
    }

    private void tellCallsAhead(final IntConsumer calls) {
        final int ahead = callsAhead.getAndSet(0);
        if (ahead > 0) {
            calls.accept(ahead);
        }
    }

    @Override
    public int unfinishedJobs() {
        return activeJobs.count();
    }

    @Override
    public JobProgress describeJob(final JobReference job) throws ImportApiException {
        return describeJob(job, calls -> { });
    }

    @Override
    public JobProgress describeJob(final JobReference job, final IntConsumer calls) throws ImportApiException {
        final JobProgress progress = client().describeJob(job, calls);
        activeJobs.seen(job.jobId(), progress.state());
        return progress;
    }

    @Override
    public JobPage listJobs(final PageRequest page) throws ImportApiException {
        final JobPage listed = client().listJobs(page);
        final ActiveJobs jobs = activeJobs;
        listed.jobs().forEach(job -> jobs.seen(job.jobId(), job.state()));
        return listed;
    }

    @Override
    public void commitJob(final JobReference job) throws ImportApiException {
        client().commitJob(job);
    }

    @Override
    public void abortJob(final JobReference job) throws ImportApiException {
        client().abortJob(job);
        activeJobs.seen(job.jobId(), JobState.FAILED);
    }

    @Override
    public CollectionSchema describeCollection(final String collection, final String database) throws ImportApiException {
        return client().describeCollection(collection, database);
    }

    @Override
    public String visibleText(final String text) {
        return client().visibleText(text);
    }

    @Override
    public String withoutSecrets(final String text) {
        return client().withoutSecrets(text);
    }

    @Override
    public String addressOf(final Operation operation) {
        return client().uriOf(operation);
    }

    @Override
    public List<ConfigVerificationResult> verify(final ConfigurationContext context, final ComponentLog verificationLogger,
                                                 final Map<String, String> variables) {
        final List<ConfigVerificationResult> results = new ArrayList<>();
        final ClientConfig config;
        try {
            config = clientConfig(context);
        } catch (final RuntimeException e) {
            // the configuration is what failed, so its secrets are gathered without it
            results.add(result("Build Client", Outcome.FAILED, visibleWithout(configuredSecrets(context),
                    "Cannot build an HTTP client from the configuration: " + e.getMessage())));
            return results;
        }
        results.add(result("Build Client", Outcome.SUCCESSFUL, "Built a client for " + config.deployment().getDisplayName()));

        try (ImportApiClient probe = new ImportApiClient(config)) {
            final JobPage page = probe.listJobs(new PageRequest(null, null, 1, 1));
            final String count = page.totalCount() != null ? page.totalCount() + " import jobs" : page.jobs().size() + " import jobs";
            results.add(result("List Import Jobs", Outcome.SUCCESSFUL, "Authenticated to " + probe.uriOf(Operation.LIST) + "; the server reports " + count));
        } catch (final ImportApiException e) {
            verificationLogger.warn("Listing import jobs failed: {}", e.getMessage());
            results.add(result("List Import Jobs", Outcome.FAILED, e.getMessage()));
        }
        results.add(verifyCollections(config, verificationLogger));
        return results;
    }

    /** Whether collections can be described where this configuration says: Milvus itself, or a Zilliz Cloud cluster's endpoint. */
    private static ConfigVerificationResult verifyCollections(final ClientConfig config, final ComponentLog verificationLogger) {
        final String step = "List Collections";
        try (ImportApiClient probe = new ImportApiClient(config)) {
            if (probe.collectionsAddress() == null) {
                return result(step, Outcome.SKIPPED, "No Cluster Endpoint: imports work without it, but collections cannot be described, so "
                        + "ValidateBulkImportFile cannot run and TriggerBulkImport's Verify cannot check Partition Name");
            }
            final int count = probe.countCollections();
            return result(step, Outcome.SUCCESSFUL, "Authenticated to " + probe.collectionsAddress() + "; it lists " + count + " collection(s)");
        } catch (final ImportApiException e) {
            verificationLogger.warn("Listing collections failed: {}", e.getMessage());
            return result(step, Outcome.FAILED, e.getMessage());
        }
    }

    /** The secret values the properties hold, read one by one, so that a configuration that cannot be built still has them masked. */
    private static List<String> configuredSecrets(final PropertyContext context) {
        final List<String> secrets = new ArrayList<>();
        for (final PropertyDescriptor property : List.of(API_KEY, STORAGE_ACCESS_KEY, STORAGE_SECRET_KEY, STORAGE_SESSION_TOKEN)) {
            final String value = context.getProperty(property).getValue();
            if (value != null) {
                secrets.add(value);
            }
        }
        try {
            final ProxySettings proxy = proxySettings(context);
            if (proxy != null && proxy.password() != null) {
                secrets.add(proxy.password());
                secrets.add(proxy.user() + ":" + proxy.password());
            }
        } catch (final RuntimeException unreadableProxy) {
            // no proxy password can be shown when none can be read
        }
        return secrets;
    }

    private static String visibleWithout(final List<String> secrets, final String text) {
        return new VisibleText(new SecretRedactor(secrets)::redact).of(text);
    }

    private static ConfigVerificationResult result(final String step, final Outcome outcome, final String explanation) {
        return new ConfigVerificationResult.Builder().verificationStepName(step).outcome(outcome).explanation(explanation).build();
    }

    static ClientConfig clientConfig(final PropertyContext context) {
        final Deployment chosen = context.getProperty(DEPLOYMENT).asAllowableValue(Deployment.class);
        final boolean zilliz = chosen == Deployment.ZILLIZ_CLOUD;
        final CloudLocation location = zilliz
                ? new CloudLocation(
                        context.getProperty(CLUSTER_ID).evaluateAttributeExpressions().getValue(),
                        context.getProperty(PROJECT_ID).evaluateAttributeExpressions().getValue(),
                        context.getProperty(REGION_ID).evaluateAttributeExpressions().getValue(),
                        uriOrNull(context.getProperty(CLUSTER_ENDPOINT).evaluateAttributeExpressions().getValue()))
                : CloudLocation.NONE;
        final StorageCredentials storage = zilliz
                ? new StorageCredentials(
                        context.getProperty(STORAGE_ACCESS_KEY).getValue(),
                        context.getProperty(STORAGE_SECRET_KEY).getValue(),
                        context.getProperty(STORAGE_SESSION_TOKEN).getValue())
                : StorageCredentials.NONE;
        final SSLContextProvider ssl = context.getProperty(SSL_CONTEXT_SERVICE).asControllerService(SSLContextProvider.class);
        return new ClientConfig(
                URI.create(context.getProperty(ENDPOINT_URL).evaluateAttributeExpressions().getValue().trim()),
                chosen,
                context.getProperty(API_KEY).getValue(),
                location,
                storage,
                Duration.ofMillis(context.getProperty(CONNECT_TIMEOUT).asTimePeriod(TimeUnit.MILLISECONDS)),
                Duration.ofMillis(context.getProperty(RESPONSE_TIMEOUT).asTimePeriod(TimeUnit.MILLISECONDS)),
                context.getProperty(MAX_CONNECTIONS).asInteger(),
                ssl == null ? null : ssl.createContext(),
                proxySettings(context));
    }

    private static URI uriOrNull(final String value) {
        return value == null || value.isBlank() ? null : URI.create(value.trim());
    }

    private static ProxySettings proxySettings(final PropertyContext context) {
        final ProxyConfiguration proxy = ProxyConfiguration.getConfiguration(context);
        if (proxy.getProxyType() != Proxy.Type.HTTP || proxy.getProxyServerHost() == null) {
            return null;
        }
        return new ProxySettings(proxy.getProxyServerHost(), proxy.getProxyServerPort(), proxy.getProxyUserName(), proxy.getProxyUserPassword());
    }
}
