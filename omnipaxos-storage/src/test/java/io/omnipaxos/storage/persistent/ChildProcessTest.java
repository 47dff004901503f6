package io.omnipaxos.storage.persistent;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the kill -9 tests share: a temporary folder for the stores and the child JVM, and the child
 * running now, which is killed after each test whatever its outcome.
 */
abstract class ChildProcessTest {

    @TempDir
    Path dir;

    /** The child JVM running now, or null. */
    KillNineTest.Child child;

    @AfterEach
    void destroyChild() {
        if (child != null) {
            child.destroy();
        }
    }
}
