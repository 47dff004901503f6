package io.omnipaxos.storage.persistent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/** The log (cycle) files of a {@link PersistentStorage} folder, for tests that look at or damage them. */
final class LogFiles {

    /**
     * How much of a cycle file {@link #locate} searches. A queue file is preallocated (tens of MB,
     * mostly holes) and the tests' records sit in its first kilobytes, after Chronicle's index.
     */
    static final int SEARCHED_BYTES = 4 << 20;

    private LogFiles() {}

    /** The {@code .cq4} files in {@code storeDir}'s log folder, oldest first (their names sort by time). */
    static List<Path> of(Path storeDir) throws IOException {
        try (Stream<Path> files = Files.list(storeDir.resolve(StoreFolder.LOG_DIR))) {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
    }

    /** The newest {@code .cq4} file of {@code storeDir}. */
    static Path newest(Path storeDir) throws IOException {
        List<Path> files = of(storeDir);
        if (files.isEmpty()) {
            throw new AssertionError("no log file in " + storeDir);
        }
        return files.get(files.size() - 1);
    }

    /** Where the bytes of a marker are: a log file and the offset in it. */
    record Found(Path file, int at) {
    }

    /** Finds the only record holding {@code marker} (an entry's bytes) in {@code storeDir}'s log files. */
    static Found locate(Path storeDir, String marker) throws IOException {
        byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
        for (Path p : of(storeDir)) {
            int at = indexOf(head(p), needle, 0);
            if (at >= 0) {
                return new Found(p, at);
            }
        }
        throw new AssertionError("no log file holds " + marker);
    }

    /** The first {@link #SEARCHED_BYTES} of {@code file} (fewer if it is shorter). */
    static byte[] head(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ch.size(), SEARCHED_BYTES));
            while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
                // keep reading: a read from a regular file may return fewer bytes than asked
            }
            return buf.array();
        }
    }

    /** The first offset at or after {@code from} where {@code needle} occurs in {@code hay}, or -1. */
    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Writes {@code bytes} at {@code offset} of {@code file}, touching nothing else (the file stays sparse). */
    static void write(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf, offset + buf.position());
            }
        }
    }

    /** Cuts {@code file} to {@code length} bytes. */
    static void truncate(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }
}
