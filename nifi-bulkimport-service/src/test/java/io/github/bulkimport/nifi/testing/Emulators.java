package io.github.bulkimport.nifi.testing;

import io.github.bulkimport.emulator.Deployment;
import io.github.bulkimport.emulator.ImportApiEmulator;

import java.time.Duration;

/**
 * Emulators configured with the secrets the test runners use.
 */
public final class Emulators {

    private Emulators() {
    }

    public static ImportApiEmulator.Builder milvus() {
        return ImportApiEmulator.builder().deployment(Deployment.MILVUS).token(Secrets.MILVUS_TOKEN).importDuration(Duration.ofMillis(300));
    }

    public static ImportApiEmulator.Builder zilliz() {
        return ImportApiEmulator.builder().deployment(Deployment.ZILLIZ_CLOUD).token(Secrets.API_KEY).clusterId(Runners.CLUSTER_ID)
                .importDuration(Duration.ofMillis(300));
    }
}
