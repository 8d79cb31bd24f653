package io.github.bulkimport.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * One NiFi 2.x process on loopback, run from a runtime assembled out of Maven artifacts (its
 * {@code lib/}), with its own configuration, repositories and logs in an instance directory.
 * NiFi has no bootstrap here: its main class is started directly, as {@code nifi-runtime.md} says.
 */
public final class NiFiInstance {

    /** NiFi saves its flow half a second after a change (nifi.flowservice.writedelay.interval): three times that without a save means none is pending. */
    private static final long FLOW_SAVE_QUIET_MILLIS = 1_500;

    private static final String MAIN_CLASS = "org.apache.nifi.NiFi";

    private final Path home;
    private final Path directory;
    private final int httpPort;
    private Process process;

    private NiFiInstance(final Path home, final Path directory, final int httpPort) {
        this.home = home;
        this.directory = directory;
        this.httpPort = httpPort;
    }

    /**
     * Prepares an instance directory (configuration written once, then reused so that a restart
     * finds its flow and repositories) and copies the bundle's NARs into its {@code extensions/}.
     *
     * @param runtime  the assembled runtime, holding {@code lib/}
     * @param nars     the NARs to install: the service API's and the bundle's
     * @param narCache a name for the directory, under the runtime, where NiFi unpacks NARs: kept
     *                 between runs so that later starts skip unpacking NiFi's own NARs
     */
    /** The NARs in a directory, for {@link #prepare}. */
    public static List<Path> narsIn(final Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            final List<Path> nars = files.filter(file -> file.getFileName().toString().endsWith(".nar")).sorted().toList();
            if (nars.isEmpty()) {
                throw new IOException("No NAR in " + directory + ": build it with mvn -B -DskipTests package");
            }
            return nars;
        }
    }

    public static NiFiInstance prepare(final Path runtime, final Path directory, final List<Path> nars, final String narCache) throws IOException {
        return prepare(runtime, directory, nars, narCache, null);
    }

    /** Where a cluster node finds the others: the ZooKeeper of its elections and state, and the key every node encrypts the flow's secrets with. */
    public record Membership(String zooKeeper, String sensitivePropertiesKey) {
    }

    /**
     * As {@link #prepare(Path, Path, List, String)}, for a node of a cluster; the node's protocol and
     * load-balance ports are free loopback ports.
     *
     * @param membership the cluster it belongs to, or {@code null} for a standalone NiFi
     */
    public static NiFiInstance prepare(final Path runtime, final Path directory, final List<Path> nars, final String narCache, final Membership membership)
            throws IOException {
        final Path home = runtime.toAbsolutePath().normalize();
        if (!Files.isDirectory(home.resolve("lib"))) {
            throw new IOException("No NiFi runtime at " + home + ": build it with mvn -B -DskipTests package");
        }
        final Path narWork = home.resolve("work").resolve(narCache);
        // the bundle is unpacked afresh on every run, never taken from an earlier build
        for (final Path nar : nars) {
            delete(narWork.resolve("extensions").resolve(nar.getFileName() + "-unpacked"));
        }
        Files.createDirectories(directory.resolve("conf"));
        Files.createDirectories(directory.resolve("extensions"));
        Files.createDirectories(directory.resolve("logs"));
        final Path properties = directory.resolve("conf/nifi.properties");
        final int port;
        if (Files.exists(properties)) {
            final Properties existing = new Properties();
            try (var in = Files.newInputStream(properties)) {
                existing.load(in);
            }
            port = Integer.parseInt(existing.getProperty("nifi.web.http.port"));
        } else {
            port = freePort();
            writeConfiguration(home, narWork, directory, port, membership == null ? Map.of() : clusterNode(membership));
        }
        for (final Path nar : nars) {
            Files.copy(nar, directory.resolve("extensions").resolve(nar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return new NiFiInstance(home, directory, port);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public String uiUrl() {
        return baseUrl() + "/nifi/";
    }

    public NiFiRestClient rest() {
        return new NiFiRestClient(baseUrl() + "/nifi-api");
    }

    public Path directory() {
        return directory;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Starts NiFi with the JDK running this code and waits until its REST API answers. */
    public Duration start(final Duration timeout) throws IOException, InterruptedException {
        final long started = System.nanoTime();
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // the heap of NiFi's own conf/bootstrap.conf (java.arg.2 and java.arg.3), which a user's NiFi starts with
        final List<String> command = List.of(java.toString(), "-Xms1g", "-Xmx1g",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED",
                "-Djava.net.preferIPv4Stack=true",
                "-Dnifi.properties.file.path=conf/nifi.properties",
                "-Dorg.apache.nifi.bootstrap.config.log.dir=logs",
                "-Dorg.apache.nifi.management.server.address=127.0.0.1:" + freePort(),
                "--class-path", home.resolve("lib").toAbsolutePath() + "/*:conf",
                MAIN_CLASS);
        process = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("logs/nifi-stdout.log").toFile()))
                .start();
        waitUntilReady(timeout);
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private void waitUntilReady(final Duration timeout) throws IOException, InterruptedException {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("NiFi exited with status " + process.exitValue() + "; see " + directory.resolve("logs"));
            }
            try {
                final HttpResponse<String> about = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/nifi-api/flow/about"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (about.statusCode() == 200) {
                    return;
                }
            } catch (final IOException notYet) {
                // still starting
            }
            Thread.sleep(500);
        }
        throw new IOException("NiFi did not answer within " + timeout + "; see " + directory.resolve("logs"));
    }

    /**
     * Waits until NiFi's saved flow shows a processor in the given scheduled state and no further
     * save follows for a while, so that NiFi, going down now, comes back with it in that state. (A
     * save still pending when NiFi shuts down runs after the shutdown stopped every processor, and
     * records them stopped.)
     */
    public void awaitFlowSaved(final String processorId, final String scheduledState, final Duration timeout) throws IOException, InterruptedException {
        final Path flow = directory.resolve("conf/flow.json.gz");
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(flow) && scheduledState.equals(savedState(flow, processorId))
                    && Files.getLastModifiedTime(flow).toInstant().isBefore(Instant.now().minusMillis(FLOW_SAVE_QUIET_MILLIS))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("NiFi did not save its flow with processor " + processorId + " " + scheduledState + " within " + timeout);
    }

    private static String savedState(final Path flow, final String processorId) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(flow))) {
            return findState(new ObjectMapper().readTree(in), processorId);
        } catch (final IOException halfWritten) {
            return null;
        }
    }

    private static String findState(final JsonNode node, final String processorId) {
        if (node.isObject() && processorId.equals(node.path("instanceIdentifier").asText())) {
            return node.path("scheduledState").asText();
        }
        for (final JsonNode child : node) {
            final String found = findState(child, processorId);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** Stops NiFi the way an operator does (SIGTERM: NiFi shuts down gracefully) and waits for it. */
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(Duration.ofSeconds(90).toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        process = null;
    }

    /** Kills NiFi without warning (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly().waitFor();
        process = null;
    }

    /** Leaves NiFi running after this JVM exits (for the demo). */
    public void detach() {
        process = null;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** What makes a NiFi a cluster node on loopback, over plain HTTP, with its state in ZooKeeper (nifi-runtime.md). */
    private static Map<String, String> clusterNode(final Membership membership) throws IOException {
        final Map<String, String> node = new LinkedHashMap<>();
        node.put("nifi.sensitive.props.key", membership.sensitivePropertiesKey());
        node.put("nifi.cluster.is.node", "true");
        node.put("nifi.cluster.node.address", "127.0.0.1");
        node.put("nifi.cluster.node.protocol.port", String.valueOf(freePort()));
        node.put("nifi.cluster.node.protocol.max.threads", "20");
        node.put("nifi.cluster.protocol.is.secure", "false");
        node.put("nifi.cluster.protocol.heartbeat.interval", "2 sec");
        node.put("nifi.cluster.protocol.heartbeat.missable.max", "5");
        node.put("nifi.cluster.node.connection.timeout", "5 sec");
        node.put("nifi.cluster.node.read.timeout", "10 sec");
        node.put("nifi.cluster.flow.election.max.candidates", "2");
        node.put("nifi.cluster.flow.election.max.wait.time", "1 min");
        node.put("nifi.cluster.load.balance.host", "127.0.0.1");
        node.put("nifi.cluster.load.balance.port", String.valueOf(freePort()));
        node.put("nifi.zookeeper.connect.string", membership.zooKeeper());
        node.put("nifi.zookeeper.connect.timeout", "5 secs");
        node.put("nifi.zookeeper.session.timeout", "6 secs");
        node.put("nifi.zookeeper.root.node", "/nifi");
        node.put("nifi.state.management.provider.cluster", "zk-provider");
        return node;
    }

    private static void writeConfiguration(final Path home, final Path narWork, final Path directory, final int port, final Map<String, String> overrides)
            throws IOException {
        final String properties = String.join("\n",
                "nifi.flow.configuration.file=./conf/flow.json.gz",
                "nifi.flow.configuration.archive.enabled=false",
                "nifi.flowcontroller.autoResumeState=true",
                "nifi.flowcontroller.graceful.shutdown.period=10 sec",
                "nifi.flowservice.writedelay.interval=500 ms",
                "nifi.administrative.yield.duration=5 sec",
                "nifi.bored.yield.duration=10 millis",
                "nifi.queue.backpressure.count=10000",
                "nifi.queue.backpressure.size=1 GB",
                "nifi.authorizer.configuration.file=./conf/authorizers.xml",
                "nifi.login.identity.provider.configuration.file=./conf/login-identity-providers.xml",
                "nifi.ui.banner.text=nifi-bulkimport",
                "nifi.nar.library.directory=" + home.resolve("lib").toAbsolutePath(),
                "nifi.nar.library.autoload.directory=./extensions",
                "nifi.nar.working.directory=" + narWork,
                "nifi.nar.unpack.uber.jar=false",
                "nifi.upload.working.directory=./work/uploads",
                "nifi.state.management.configuration.file=./conf/state-management.xml",
                "nifi.state.management.provider.local=local-provider",
                "nifi.state.management.provider.cluster=",
                "nifi.state.management.embedded.zookeeper.start=false",
                "nifi.database.directory=./database_repository",
                "nifi.flowfile.repository.implementation=org.apache.nifi.controller.repository.WriteAheadFlowFileRepository",
                "nifi.flowfile.repository.wal.implementation=org.apache.nifi.wali.SequentialAccessWriteAheadLog",
                "nifi.flowfile.repository.directory=./flowfile_repository",
                "nifi.flowfile.repository.checkpoint.interval=20 secs",
                "nifi.flowfile.repository.always.sync=false",
                "nifi.flowfile.repository.retain.orphaned.flowfiles=true",
                "nifi.swap.manager.implementation=org.apache.nifi.controller.FileSystemSwapManager",
                "nifi.queue.swap.threshold=20000",
                "nifi.content.repository.implementation=org.apache.nifi.controller.repository.FileSystemRepository",
                "nifi.content.claim.max.appendable.size=50 KB",
                "nifi.content.repository.directory.default=./content_repository",
                "nifi.content.repository.archive.max.retention.period=1 hour",
                "nifi.content.repository.archive.max.usage.percentage=90%",
                "nifi.content.repository.archive.enabled=false",
                "nifi.content.repository.always.sync=false",
                "nifi.provenance.repository.implementation=org.apache.nifi.provenance.WriteAheadProvenanceRepository",
                "nifi.provenance.repository.directory.default=./provenance_repository",
                "nifi.provenance.repository.max.storage.time=1 day",
                "nifi.provenance.repository.max.storage.size=1 GB",
                "nifi.provenance.repository.rollover.time=1 min",
                "nifi.provenance.repository.rollover.size=100 MB",
                "nifi.provenance.repository.query.threads=2",
                "nifi.provenance.repository.index.threads=1",
                "nifi.provenance.repository.compress.on.rollover=true",
                "nifi.provenance.repository.always.sync=false",
                "nifi.provenance.repository.indexed.fields=EventType, FlowFileUUID, Filename, ProcessorID, Relationship",
                "nifi.provenance.repository.indexed.attributes=",
                "nifi.provenance.repository.index.shard.size=100 MB",
                "nifi.provenance.repository.max.attribute.length=65536",
                "nifi.provenance.repository.concurrent.merge.threads=1",
                "nifi.components.status.repository.implementation=org.apache.nifi.controller.status.history.VolatileComponentStatusRepository",
                "nifi.components.status.repository.buffer.size=1440",
                "nifi.components.status.snapshot.frequency=1 min",
                "nifi.nar.persistence.provider.implementation=org.apache.nifi.nar.StandardNarPersistenceProvider",
                "nifi.nar.persistence.provider.properties.directory=./nar_repository",
                "nifi.asset.manager.implementation=org.apache.nifi.asset.StandardAssetManager",
                "nifi.asset.manager.properties.directory=./assets",
                "nifi.remote.input.host=",
                "nifi.remote.input.secure=false",
                "nifi.remote.input.socket.port=",
                "nifi.remote.input.http.enabled=false",
                "nifi.web.http.host=127.0.0.1",
                "nifi.web.http.port=" + port,
                "nifi.web.http.network.interface.default=",
                "nifi.web.https.host=",
                "nifi.web.https.port=",
                "nifi.web.jetty.working.directory=./work/jetty",
                "nifi.web.jetty.threads=50",
                "nifi.web.max.header.size=16 KB",
                "nifi.web.proxy.context.path=",
                "nifi.web.proxy.host=",
                "nifi.web.max.content.size=",
                "nifi.web.max.requests.per.second=30000",
                "nifi.web.request.timeout=60 secs",
                "nifi.web.request.ip.whitelist=",
                "nifi.web.should.send.server.version=true",
                "nifi.sensitive.props.key=" + newSensitivePropertiesKey(),
                "nifi.sensitive.props.algorithm=NIFI_PBKDF2_AES_GCM_256",
                "nifi.security.autoreload.enabled=false",
                "nifi.security.keystore=",
                "nifi.security.keystoreType=",
                "nifi.security.keystorePasswd=",
                "nifi.security.keyPasswd=",
                "nifi.security.truststore=",
                "nifi.security.truststoreType=",
                "nifi.security.truststorePasswd=",
                "nifi.security.user.authorizer=",
                "nifi.security.allow.anonymous.authentication=false",
                "nifi.security.user.login.identity.provider=",
                "nifi.security.user.jws.key.rotation.period=PT1H",
                "nifi.cluster.is.node=false",
                "nifi.cluster.protocol.heartbeat.interval=5 sec",
                "nifi.cluster.protocol.heartbeat.missable.max=8",
                "nifi.zookeeper.connect.string=",
                "");
        final StringBuilder configured = new StringBuilder();
        final Map<String, String> left = new LinkedHashMap<>(overrides);
        for (final String line : properties.split("\n")) {
            final String name = line.contains("=") ? line.substring(0, line.indexOf('=')) : line;
            configured.append(left.containsKey(name) ? name + "=" + left.remove(name) : line).append('\n');
        }
        left.forEach((name, value) -> configured.append(name).append('=').append(value).append('\n'));
        write(directory.resolve("conf/nifi.properties"), configured.toString());
        write(directory.resolve("conf/authorizers.xml"), "<authorizers/>\n");
        write(directory.resolve("conf/login-identity-providers.xml"), "<loginIdentityProviders/>\n");
        write(directory.resolve("conf/state-management.xml"), """
                <stateManagement>
                    <local-provider>
                        <id>local-provider</id>
                        <class>org.apache.nifi.controller.state.providers.local.WriteAheadLocalStateProvider</class>
                        <property name="Directory">./state/local</property>
                        <property name="Always Sync">false</property>
                        <property name="Partitions">16</property>
                        <property name="Checkpoint Interval">2 mins</property>
                    </local-provider>
                %s</stateManagement>
                """.formatted(overrides.containsKey("nifi.zookeeper.connect.string") ? """
                    <cluster-provider>
                        <id>zk-provider</id>
                        <class>org.apache.nifi.controller.state.providers.zookeeper.ZooKeeperStateProvider</class>
                        <property name="Connect String">%s</property>
                        <property name="Root Node">/nifi</property>
                        <property name="Session Timeout">6 seconds</property>
                        <property name="Access Control">Open</property>
                    </cluster-provider>
                """.formatted(overrides.get("nifi.zookeeper.connect.string")) : ""));
        write(directory.resolve("conf/logback.xml"), """
                <configuration scan="false">
                    <appender name="APP_FILE" class="ch.qos.logback.core.FileAppender">
                        <file>logs/nifi-app.log</file>
                        <encoder><pattern>%date %level [%thread] %logger{40} %msg%n</pattern></encoder>
                    </appender>
                    <logger name="org.apache.nifi" level="INFO"/>
                    <logger name="org.apache.nifi.controller.repository.StandardProcessSession" level="WARN"/>
                    <logger name="org.eclipse.jetty" level="WARN"/>
                    <logger name="org.springframework" level="WARN"/>
                    <logger name="io.github.bulkimport" level="INFO"/>
                    <root level="WARN"><appender-ref ref="APP_FILE"/></root>
                </configuration>
                """);
    }

    /** A key for nifi.sensitive.props.key: random, as NiFi's own setup makes one. */
    public static String newSensitivePropertiesKey() {
        final byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        return HexFormat.of().formatHex(key);
    }

    private static void write(final Path file, final String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes an instance directory: flow, repositories, state and logs. */
    public static void delete(final Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
