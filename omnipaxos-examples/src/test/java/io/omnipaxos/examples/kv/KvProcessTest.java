package io.omnipaxos.examples.kv;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every test of real key-value node processes shares: a temporary folder for the cluster's
 * files, the cluster, killed after each test, and how long to wait for a node to be up.
 */
abstract class KvProcessTest {

    /** The longest wait for nodes to start, elect a leader or catch up. */
    static final Duration STARTUP = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** The test's cluster (null until the test makes one). */
    KvCluster cluster;

    @AfterEach
    void stopCluster() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }
}
