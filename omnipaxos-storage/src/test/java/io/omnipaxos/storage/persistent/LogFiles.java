package io.omnipaxos.storage.persistent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The log (cycle) files of a {@link PersistentStorage} folder, for tests that look at or damage them. */
final class LogFiles {

    private LogFiles() {}

    /** The {@code .cq4} files in {@code storeDir}'s log folder, oldest first (their names sort by time). */
    static List<Path> of(Path storeDir) throws IOException {
        try (Stream<Path> files = Files.list(storeDir.resolve(StoreFolder.LOG_DIR))) {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
    }
}
