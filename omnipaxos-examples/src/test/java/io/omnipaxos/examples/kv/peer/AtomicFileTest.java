package io.omnipaxos.examples.kv.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.storage.StorageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {

    @TempDir
    Path dir;

    @Test
    void partsLargerThanOneWriteArriveWholeAndInOrder() throws IOException {
        byte[] large = new byte[3 * 1024 * 1024 + 17]; // more than three 1 MiB slices
        new Random(7).nextBytes(large);
        byte[] head = {1, 2, 3};
        Path file = dir.resolve("handover");
        Files.write(file, new byte[] {9, 9}); // replaced, not appended to
        AtomicFile.write(file, ByteBuffer.wrap(head), ByteBuffer.wrap(large), ByteBuffer.allocate(4).putInt(0, 42));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(head);
        expected.writeBytes(large);
        expected.writeBytes(ByteBuffer.allocate(4).putInt(42).array());
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(file));
        assertFalse(Files.exists(dir.resolve("handover.tmp")), "the temporary file was renamed");
    }

    @Test
    void aFileThatCannotBeWrittenIsAStorageErrorNamingIt() {
        Path file = dir.resolve("missing-folder").resolve("peers");
        StorageException e = assertThrows(StorageException.class, () -> AtomicFile.write(file, ByteBuffer.allocate(1)));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}
