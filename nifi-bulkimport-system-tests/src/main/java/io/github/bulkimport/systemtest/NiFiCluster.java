package io.github.bulkimport.systemtest;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A 2-node NiFi cluster on loopback, over plain HTTP, assembled from the same runtime as a single
 * NiFi, with a standalone ZooKeeper ({@link ZooKeeperProcess}) for elections and cluster state.
 */
public final class NiFiCluster implements AutoCloseable {

    private final ZooKeeperProcess zooKeeper;
    private final List<NiFiInstance> nodes;

    private NiFiCluster(final ZooKeeperProcess zooKeeper, final List<NiFiInstance> nodes) {
        this.zooKeeper = zooKeeper;
        this.nodes = nodes;
    }

    /** Prepares ZooKeeper and two nodes under {@code directory}. Each node unpacks NARs into its own cache under the runtime. */
    public static NiFiCluster prepare(final Path runtime, final Path directory, final List<Path> nars) throws IOException {
        final ZooKeeperProcess zooKeeper = ZooKeeperProcess.prepare(runtime, directory.resolve("zookeeper"));
        // the nodes share the key of the flow's secrets: a node that rejoins loads the flow the others encrypted
        final NiFiInstance.Membership membership = new NiFiInstance.Membership(zooKeeper.connectString(), NiFiInstance.newSensitivePropertiesKey());
        final List<NiFiInstance> nodes = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            nodes.add(NiFiInstance.prepare(runtime, directory.resolve("node" + i), nars, "cluster-node" + i, membership));
        }
        return new NiFiCluster(zooKeeper, List.copyOf(nodes));
    }

    /** Starts ZooKeeper, then both nodes at once, and waits until both are connected. Returns how long that took. */
    public Duration start(final Duration timeout) throws IOException, InterruptedException {
        final long started = System.nanoTime();
        zooKeeper.start(Duration.ofSeconds(30));
        final List<CompletableFuture<Duration>> starting = new ArrayList<>();
        for (final NiFiInstance node : nodes) {
            starting.add(CompletableFuture.supplyAsync(() -> startNode(node, timeout)));
        }
        try {
            starting.forEach(CompletableFuture::join);
        } catch (final CompletionException e) {
            throw new IOException("a node did not start", e.getCause());
        }
        awaitConnected(2, timeout);
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private static Duration startNode(final NiFiInstance node, final Duration timeout) {
        try {
            return node.start(timeout);
        } catch (final IOException e) {
            throw new CompletionException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    /** Waits until {@code count} nodes are CONNECTED and one of them is the primary node. */
    public void awaitConnected(final int count, final Duration timeout) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        List<NiFiRestClient.ClusterNode> seen = List.of();
        while (System.nanoTime() < deadline) {
            try {
                seen = rest().clusterNodes();
                if (seen.stream().filter(node -> "CONNECTED".equals(node.status())).count() >= count
                        && seen.stream().anyMatch(node -> "CONNECTED".equals(node.status()) && node.isPrimary())) {
                    return;
                }
            } catch (final IOException notYet) {
                // a node answers 409 while the cluster forms
            }
            Thread.sleep(500);
        }
        throw new IOException("the cluster did not have " + count + " connected nodes and a primary within " + timeout + ": " + seen);
    }

    /** A REST client on a running node. */
    public NiFiRestClient rest() throws IOException {
        for (final NiFiInstance node : nodes) {
            if (node.isRunning()) {
                return node.rest();
            }
        }
        throw new IOException("no node is running");
    }

    public NiFiInstance node(final int index) {
        return nodes.get(index);
    }

    /** The index of the node that is the primary node now. */
    public int primary() throws IOException {
        for (final NiFiRestClient.ClusterNode node : rest().clusterNodes()) {
            if (node.isPrimary() && "CONNECTED".equals(node.status())) {
                for (int i = 0; i < nodes.size(); i++) {
                    if (nodes.get(i).baseUrl().endsWith(":" + node.apiPort())) {
                        return i;
                    }
                }
            }
        }
        throw new IOException("no connected primary node");
    }

    public ZooKeeperProcess zooKeeper() {
        return zooKeeper;
    }

    @Override
    public void close() throws InterruptedException {
        for (final NiFiInstance node : nodes) {
            node.stop();
        }
        zooKeeper.close();
    }
}
