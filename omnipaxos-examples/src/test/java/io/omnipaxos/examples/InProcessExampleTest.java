package io.omnipaxos.examples;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The in-process example runs to the end (it throws if the cluster does not converge). */
class InProcessExampleTest {

    @Test
    void runsToTheEndAndWritesEachServersLog() throws Exception {
        assertDoesNotThrow(() -> InProcessExample.main(new String[0]));
        for (int pid = 1; pid <= 3; pid++) {
            Path log = Path.of("logs", "inprocess-node" + pid + ".log");
            assertTrue(Files.exists(log), log + " exists");
        }
        assertTrue(Files.readString(Path.of("logs", "inprocess-node1.log")).contains("server 1"));
    }
}
