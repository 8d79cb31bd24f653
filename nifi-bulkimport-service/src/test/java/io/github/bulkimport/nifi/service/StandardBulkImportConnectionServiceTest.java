package io.github.bulkimport.nifi.service;

import io.github.bulkimport.nifi.service.client.ClientConfig;
import io.github.bulkimport.nifi.service.client.CloudLocation;
import io.github.bulkimport.nifi.service.client.ImportApiClient;
import io.github.bulkimport.nifi.service.client.ProxySettings;
import io.github.bulkimport.nifi.service.client.StorageCredentials;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.PageRequest;
import io.github.bulkimport.nifi.testing.LeakCheck;
import io.github.bulkimport.nifi.testing.MockApi;
import io.github.bulkimport.nifi.testing.Runners;
import io.github.bulkimport.nifi.testing.Secrets;
import io.github.bulkimport.nifi.testing.StaticProxyService;
import io.github.bulkimport.nifi.testing.StaticSslContextProvider;
import io.github.bulkimport.nifi.testing.TestTls;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.util.MockConfigurationContext;
import org.apache.nifi.util.MockPropertyConfiguration;
import org.apache.nifi.util.NoOpProcessor;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Proxy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.github.bulkimport.nifi.testing.Json.assertJsonEquals;
import static io.github.bulkimport.nifi.testing.MockApi.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StandardBulkImportConnectionServiceTest {

    private static final String ID = "service";

    private MockApi api;
    private TestRunner runner;
    private StandardBulkImportConnectionService service;

    @BeforeEach
    void setUp() throws Exception {
        api = new MockApi();
        runner = TestRunners.newTestRunner(NoOpProcessor.class);
        service = new StandardBulkImportConnectionService();
        runner.addControllerService(ID, service);
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, api.url());
        runner.setProperty(service, StandardBulkImportConnectionService.API_KEY, Secrets.API_KEY);
        runner.setProperty(service, StandardBulkImportConnectionService.CLUSTER_ID, Runners.CLUSTER_ID);
        runner.setProperty(service, StandardBulkImportConnectionService.RESPONSE_TIMEOUT, "2 secs");
    }

    @AfterEach
    void tearDown() {
        LeakCheck.assertNoSecrets(runner, ID);
        api.close();
    }

    // ---- validation ---------------------------------------------------------------------------

    @Test
    void zillizNeedsAClusterOrAProjectWithRegion() {
        runner.assertValid(service);
        runner.removeProperty(service, StandardBulkImportConnectionService.CLUSTER_ID);
        runner.assertNotValid(service);
        runner.setProperty(service, StandardBulkImportConnectionService.PROJECT_ID, "proj-123");
        runner.assertNotValid(service);
        runner.setProperty(service, StandardBulkImportConnectionService.REGION_ID, "aws-us-west-2");
        runner.assertValid(service);
        runner.setProperty(service, StandardBulkImportConnectionService.CLUSTER_ID, Runners.CLUSTER_ID);
        runner.assertNotValid(service);
    }

    @Test
    void storageKeysComeInPairsAndTheTokenNeedsThem() {
        runner.setProperty(service, StandardBulkImportConnectionService.STORAGE_ACCESS_KEY, Secrets.ACCESS_KEY);
        runner.assertNotValid(service);
        runner.setProperty(service, StandardBulkImportConnectionService.STORAGE_SECRET_KEY, Secrets.SECRET_KEY);
        runner.assertValid(service);
        runner.removeProperty(service, StandardBulkImportConnectionService.STORAGE_ACCESS_KEY);
        runner.removeProperty(service, StandardBulkImportConnectionService.STORAGE_SECRET_KEY);
        runner.setProperty(service, StandardBulkImportConnectionService.STORAGE_SESSION_TOKEN, Secrets.SESSION_TOKEN);
        runner.assertNotValid(service);
    }

    @Test
    void endpointMustBeAPlainHttpUrl() {
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, "ftp://api.example.com");
        runner.assertNotValid(service);
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, "http://root:Milvus@milvus:19530");
        runner.assertNotValid(service);
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, "http://milvus:19530?x=1");
        runner.assertNotValid(service);
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, "https://gateway.example.com/milvus/");
        runner.assertValid(service);
    }

    @Test
    void milvusNeedsItsOwnEndpointAndNoCluster() {
        runner.setProperty(service, StandardBulkImportConnectionService.DEPLOYMENT, Deployment.MILVUS);
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, StandardBulkImportConnectionService.DEFAULT_ZILLIZ_ENDPOINT);
        runner.assertNotValid(service);
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, "http://127.0.0.1:19530");
        runner.removeProperty(service, StandardBulkImportConnectionService.CLUSTER_ID);
        runner.assertValid(service);
    }

    @Test
    void secretsAreSensitive() {
        for (final PropertyDescriptor property : List.of(StandardBulkImportConnectionService.API_KEY, StandardBulkImportConnectionService.STORAGE_ACCESS_KEY,
                StandardBulkImportConnectionService.STORAGE_SECRET_KEY, StandardBulkImportConnectionService.STORAGE_SESSION_TOKEN)) {
            assertTrue(property.isSensitive(), property.getName());
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    @Test
    void operationsWorkFromEnableToDisable() throws Exception {
        final PageRequest page = new PageRequest(null, null, 1, 10);
        assertThrows(IllegalStateException.class, () -> service.listJobs(page));
        runner.enableControllerService(service);
        assertEquals(Deployment.ZILLIZ_CLOUD, service.getDeployment());

        api.json("""
                {"code":0,"data":{"records":[]}}""");
        service.listJobs(page);
        assertEquals(1, api.requestCount());

        runner.disableControllerService(service);
        assertThrows(IllegalStateException.class, () -> service.listJobs(page));
    }

    // ---- verification -------------------------------------------------------------------------

    @Test
    void verifySucceedsWithOneAuthenticatedList() {
        api.json("""
                {"code":0,"data":{"count":7,"currentPage":1,"pageSize":1,"records":[{"jobId":"job-1","state":"Completed"}]}}""");

        final List<ConfigVerificationResult> results = verifyWith(Map.of());

        assertEquals(List.of(Outcome.SUCCESSFUL, Outcome.SUCCESSFUL, Outcome.SKIPPED), outcomes(results));
        assertTrue(results.get(1).getExplanation().contains("7 import jobs"), results.get(1).getExplanation());
        assertTrue(results.get(2).getExplanation().startsWith("No Cluster Endpoint"), results.get(2).getExplanation());
        final RecordedRequest request = api.take();
        assertEquals(ImportApiClient.LIST_PATH, request.getTarget());
        assertEquals("Bearer " + Secrets.API_KEY, request.getHeaders().get("Authorization"));
        assertJsonEquals("""
                {"clusterId":"%s","pageSize":1,"currentPage":1}""".formatted(Runners.CLUSTER_ID), body(request));
    }

    @Test
    void verifyListsTheCollectionsAtTheClusterEndpoint() {
        api.json("""
                {"code":0,"data":{"count":7,"currentPage":1,"pageSize":1,"records":[]}}""");
        try (MockApi cluster = new MockApi()) {
            cluster.json("""
                    {"code":0,"data":["docs","images"]}""");
            final List<ConfigVerificationResult> results = verifyWith(Map.of(StandardBulkImportConnectionService.CLUSTER_ENDPOINT, cluster.url()));
            assertEquals(List.of(Outcome.SUCCESSFUL, Outcome.SUCCESSFUL, Outcome.SUCCESSFUL), outcomes(results));
            assertTrue(results.get(2).getExplanation().contains("it lists 2 collection(s)"), results.get(2).getExplanation());
            final RecordedRequest request = cluster.take();
            assertEquals(ImportApiClient.LIST_COLLECTIONS_PATH, request.getTarget());
            assertEquals("Bearer " + Secrets.API_KEY, request.getHeaders().get("Authorization"));
        }
    }

    @Test
    void theControlPlaneIsNoClusterEndpoint() {
        runner.setProperty(service, StandardBulkImportConnectionService.CLUSTER_ENDPOINT, "https://api.cloud.zilliz.com");
        runner.assertNotValid(service);
    }

    @Test
    void verifyReportsAnUnreachableServer() {
        final String dead = api.url();
        api.close();

        final List<ConfigVerificationResult> results = verifyWith(Map.of(StandardBulkImportConnectionService.ENDPOINT_URL, dead));

        assertEquals(Outcome.FAILED, results.get(1).getOutcome());
        assertTrue(results.get(1).getExplanation().contains("cannot connect"), results.get(1).getExplanation());
        api = new MockApi();
    }

    @Test
    void verifyReportsARejectedKey() {
        api.json(401, """
                {"code":80001,"message":"Invalid token: %s"}""".formatted(Secrets.API_KEY));

        final List<ConfigVerificationResult> results = verifyWith(Map.of());

        assertEquals(Outcome.FAILED, results.get(1).getOutcome());
        final String explanation = results.get(1).getExplanation();
        assertTrue(explanation.contains("API Key or Token"), explanation);
        LeakCheck.assertNoSecrets("verification result", explanation);
    }

    @Test
    void verifyReportsAWrongCluster() {
        api.envelopeError(80020, "cluster not exist or you don't have permission");

        final List<ConfigVerificationResult> results = verifyWith(Map.of());

        assertEquals(Outcome.FAILED, results.get(1).getOutcome());
        assertTrue(results.get(1).getExplanation().contains("cluster not exist"));
    }

    @Test
    void verifyReportsAnUntrustedCertificate(@TempDir final Path directory) throws Exception {
        api.server().useHttps(TestTls.create(directory).serverContext().getSocketFactory());

        final List<ConfigVerificationResult> results = verifyWith(Map.of(StandardBulkImportConnectionService.ENDPOINT_URL, api.url()));

        assertEquals(Outcome.FAILED, results.get(1).getOutcome());
        assertTrue(results.get(1).getExplanation().contains("TLS handshake"), results.get(1).getExplanation());
        assertTrue(results.get(1).getExplanation().contains("SSL Context Service"));
    }

    @Test
    void sslContextServiceIsUsedForHttps(@TempDir final Path directory) throws Exception {
        final TestTls tls = TestTls.create(directory);
        api.server().useHttps(tls.serverContext().getSocketFactory());
        api.json("""
                {"code":0,"data":{"records":[]}}""");
        final StaticSslContextProvider ssl = new StaticSslContextProvider(tls.clientContext());
        runner.addControllerService("ssl", ssl);
        runner.enableControllerService(ssl);
        runner.setProperty(service, StandardBulkImportConnectionService.SSL_CONTEXT_SERVICE, "ssl");
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, api.url());
        assertTrue(api.url().startsWith("https://"));
        runner.enableControllerService(service);

        service.listJobs(new PageRequest(null, null, 1, 1));

        assertNotNull(api.take().getHandshake(), "the request arrived over TLS");
    }

    @Test
    void httpProxyWithBasicAuthenticationIsUsed() throws Exception {
        final StaticProxyService proxy = new StaticProxyService(Proxy.Type.HTTP, "127.0.0.1", api.server().getPort(), "proxyuser", "proxy-pass-42");
        runner.addControllerService("proxy", proxy);
        runner.enableControllerService(proxy);
        runner.setProperty(service, StandardBulkImportConnectionService.PROXY_CONFIGURATION_SERVICE, "proxy");
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, "http://api.import.test");
        runner.enableControllerService(service);
        api.enqueue(new MockResponse.Builder().code(407).setHeader("Proxy-Authenticate", "Basic realm=\"proxy\"").body("").build());
        api.json("""
                {"code":0,"data":{"records":[]}}""");

        service.listJobs(new PageRequest(null, null, 1, 1));

        final RecordedRequest challenged = api.take();
        assertEquals("http://api.import.test" + ImportApiClient.LIST_PATH, challenged.getTarget());
        assertNull(challenged.getHeaders().get("Proxy-Authorization"));
        final RecordedRequest authorized = api.take();
        assertEquals("Basic cHJveHl1c2VyOnByb3h5LXBhc3MtNDI=", authorized.getHeaders().get("Proxy-Authorization"));
    }

    @Test
    void socksProxiesAreRejected() throws Exception {
        final StaticProxyService proxy = new StaticProxyService(Proxy.Type.SOCKS, "127.0.0.1", 1080, null, null);
        runner.addControllerService("proxy", proxy);
        runner.enableControllerService(proxy);
        runner.setProperty(service, StandardBulkImportConnectionService.PROXY_CONFIGURATION_SERVICE, "proxy");
        runner.assertNotValid(service);
    }

    @Test
    void configDescriptionNeverShowsSecrets() {
        final ClientConfig config = new ClientConfig(URI.create(api.url()), Deployment.ZILLIZ_CLOUD, Secrets.API_KEY, new CloudLocation(Runners.CLUSTER_ID, null, null),
                new StorageCredentials(Secrets.ACCESS_KEY, Secrets.SECRET_KEY, Secrets.SESSION_TOKEN), Duration.ofSeconds(1), Duration.ofSeconds(1), 1, null,
                new ProxySettings("proxy.example", 3128, "user", Secrets.MILVUS_TOKEN));
        LeakCheck.assertNoSecrets("client configuration", config.toString());
    }

    /** Trust round 2, item 16: the DEBUG log of an enabled service shows its configuration, never a key written into the endpoint. */
    @Test
    void theDebugLogOfAnEnabledServiceNeverShowsAKeyInTheEndpointPath() {
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, api.url() + "/" + Secrets.API_KEY);
        runner.enableControllerService(service);
        final List<String> debug = runner.getControllerServiceLogger(ID).getDebugMessages().stream()
                .map(message -> message.getMsg() + " " + java.util.Arrays.deepToString(message.getArgs())).toList();
        assertTrue(debug.stream().anyMatch(text -> text.contains("Enabled with") && text.contains("ClientConfig[endpoint=")), debug.toString());
        debug.forEach(text -> LeakCheck.assertNoSecrets("debug log", text));
    }

    @Test
    void verifyOfAnEndpointThatCannotBeParsedNeverQuotesTheKeyInIt() {
        final List<ConfigVerificationResult> results = verifyWith(Map.of(StandardBulkImportConnectionService.ENDPOINT_URL,
                "https://gateway.example.com/" + Secrets.API_KEY + " /v2"));
        assertEquals(List.of(Outcome.FAILED), outcomes(results));
        LeakCheck.assertNoSecrets("verification result", results.getFirst().getExplanation());
    }

    @Test
    void aFlowSavedWithTheOldProxyPropertyNameKeepsItsProxy() {
        final String current = StandardBulkImportConnectionService.PROXY_CONFIGURATION_SERVICE.getName();
        for (final String saved : List.of("Proxy Configuration Service", "proxy-configuration-service")) {
            final MockPropertyConfiguration configuration = new MockPropertyConfiguration(Map.of(saved, "proxy-service-id"));
            new StandardBulkImportConnectionService().migrateProperties(configuration);
            assertEquals(Optional.of("proxy-service-id"), configuration.getRawPropertyValue(current), "saved as " + saved);
        }
    }

    private List<ConfigVerificationResult> verifyWith(final Map<PropertyDescriptor, String> overrides) {
        final Map<PropertyDescriptor, String> properties = new HashMap<>();
        properties.put(StandardBulkImportConnectionService.DEPLOYMENT, Deployment.ZILLIZ_CLOUD.getValue());
        properties.put(StandardBulkImportConnectionService.ENDPOINT_URL, api.url());
        properties.put(StandardBulkImportConnectionService.API_KEY, Secrets.API_KEY);
        properties.put(StandardBulkImportConnectionService.CLUSTER_ID, Runners.CLUSTER_ID);
        properties.put(StandardBulkImportConnectionService.CONNECT_TIMEOUT, "2 secs");
        properties.put(StandardBulkImportConnectionService.RESPONSE_TIMEOUT, "2 secs");
        properties.put(StandardBulkImportConnectionService.MAX_CONNECTIONS, "2");
        properties.putAll(overrides);
        final MockConfigurationContext context = new MockConfigurationContext(service, properties, runner.getProcessContext().getControllerServiceLookup(), Map.of());
        return service.verify(context, runner.getControllerServiceLogger(ID), Map.of());
    }

    private static List<Outcome> outcomes(final List<ConfigVerificationResult> results) {
        return results.stream().map(ConfigVerificationResult::getOutcome).toList();
    }
}
