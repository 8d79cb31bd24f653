package io.github.bulkimport.systemtest;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A standalone ZooKeeper for a test cluster, run from the ZooKeeper jars NiFi's own framework NAR
 * bundles (the same ZooKeeper the embedded one would be). Standalone rather than embedded in node
 * 1, so that killing a node never takes ZooKeeper with it, and ZooKeeper can be stopped on its own.
 */
public final class ZooKeeperProcess implements AutoCloseable {

    private static final Pattern NEEDED = Pattern.compile("META-INF/bundled-dependencies/(zookeeper|zookeeper-jute|audience-annotations|metrics-core"
            + "|netty-(buffer|codec|common|handler|resolver|transport|transport-native-unix-common|transport-classes-epoll)|snappy-java)-[0-9][^/]*\\.jar");

    private final Path directory;
    private final int port;
    private Process process;

    private ZooKeeperProcess(final Path directory, final int port) {
        this.directory = directory;
        this.port = port;
    }

    /** Prepares a ZooKeeper in {@code directory} from the runtime's framework NAR, on a free loopback port. */
    public static ZooKeeperProcess prepare(final Path runtime, final Path directory) throws IOException {
        final Path lib = directory.resolve("lib");
        Files.createDirectories(lib);
        final Path frameworkNar;
        try (Stream<Path> files = Files.list(runtime.resolve("lib"))) {
            frameworkNar = files.filter(file -> file.getFileName().toString().startsWith("nifi-framework-nar-")).findFirst()
                    .orElseThrow(() -> new IOException("no nifi-framework-nar in " + runtime.resolve("lib")));
        }
        try (ZipFile nar = new ZipFile(frameworkNar.toFile())) {
            for (final ZipEntry entry : nar.stream().filter(e -> NEEDED.matcher(e.getName()).matches()).toList()) {
                try (InputStream in = nar.getInputStream(entry)) {
                    Files.copy(in, lib.resolve(Path.of(entry.getName()).getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        try (Stream<Path> files = Files.list(runtime.resolve("lib"))) {
            for (final Path jar : files.filter(file -> file.getFileName().toString().matches("(slf4j-api|logback-classic|logback-core)-.*\\.jar")).toList()) {
                Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        final int port = NiFiInstance.freePort();
        Files.createDirectories(directory.resolve("data"));
        Files.writeString(directory.resolve("zoo.cfg"), String.join("\n",
                "tickTime=2000",
                "initLimit=10",
                "syncLimit=5",
                "dataDir=" + directory.resolve("data").toAbsolutePath(),
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                "admin.enableServer=false",
                "maxClientCnxns=0",
                "4lw.commands.whitelist=ruok",
                ""), StandardCharsets.UTF_8);
        Files.writeString(directory.resolve("logback.xml"), """
                <configuration>
                    <appender name="FILE" class="ch.qos.logback.core.FileAppender">
                        <file>zookeeper.log</file>
                        <encoder><pattern>%date %level [%thread] %logger{30} %msg%n</pattern></encoder>
                    </appender>
                    <root level="WARN"><appender-ref ref="FILE"/></root>
                </configuration>
                """, StandardCharsets.UTF_8);
        return new ZooKeeperProcess(directory, port);
    }

    /** The connect string of this ZooKeeper. */
    public String connectString() {
        return "127.0.0.1:" + port;
    }

    /** Starts ZooKeeper and waits until it answers {@code ruok}. */
    public void start(final Duration timeout) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-Dlogback.configurationFile=logback.xml", "-Dzookeeper.jmx.log4j.disable=true",
                "-cp", directory.resolve("lib").toAbsolutePath() + "/*", "org.apache.zookeeper.server.ZooKeeperServerMain", "zoo.cfg"));
        process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("stdout.log").toFile())).start();
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("ZooKeeper exited with status " + process.exitValue() + "; see " + directory);
            }
            if (answersRuok()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IOException("ZooKeeper did not answer within " + timeout + "; see " + directory);
    }

    private boolean answersRuok() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write("ruok".getBytes(StandardCharsets.US_ASCII));
            return "imok".equals(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        } catch (final IOException notYet) {
            return false;
        }
    }

    /** Stops ZooKeeper, as an outage would. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
