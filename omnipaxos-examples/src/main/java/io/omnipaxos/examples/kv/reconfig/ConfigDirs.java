package io.omnipaxos.examples.kv.reconfig;

import io.omnipaxos.storage.StorageException;
import io.omnipaxos.storage.persistent.PersistentStorage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a node keeps the configurations it moved into after its TOML file's one. The TOML's
 * configuration stores its log in {@code data_dir} itself; configuration {@code N} reached by a
 * reconfiguration has its own folder:
 *
 * <pre>
 * data_dir/config-N/handover   the Handover that ended the previous configuration (written first)
 * data_dir/config-N/storage/   configuration N's log, seeded from the handover's state
 * data_dir/handover.fetching   a handover being fetched from another node (moved to config-N/handover once checked)
 * </pre>
 *
 * On start a node runs the highest configuration that has a handover file, so a restart picks up
 * where the node was, whatever its TOML file says. Once it runs a configuration (or retired), the
 * stores and folders of lower configurations are deleted ({@link #discardBelow}).
 */
final class ConfigDirs {

    private static final String PREFIX = "config-";
    private static final String HANDOVER = "handover";
    private static final String STORAGE = "storage";
    private static final String FETCHING = "handover.fetching";

    private ConfigDirs() {}

    /** The storage folder of configuration {@code configId} reached by a reconfiguration. */
    static Path storage(Path dataDir, int configId) {
        return dataDir.resolve(PREFIX + configId).resolve(STORAGE);
    }

    /** The handover file of configuration {@code configId}: the handover that ended the one before. */
    static Path handoverFile(Path dataDir, int configId) {
        return dataDir.resolve(PREFIX + configId).resolve(HANDOVER);
    }

    /** Where a state fetch writes the handover it receives, until it is checked and recorded. */
    static Path fetchFile(Path dataDir) {
        return dataDir.resolve(FETCHING);
    }

    /**
     * As {@link #record}, with the handover's binary form already in {@code fetched} (written and
     * forced by a state fetch, in the same data folder): the file is moved into place atomically
     * and both folders are forced. If the handover is already recorded, {@code fetched} is deleted.
     *
     * @throws StorageException naming the files
     */
    static void recordFetched(Path dataDir, Handover handover, Path fetched) {
        Path dir = dataDir.resolve(PREFIX + handover.nextConfigId());
        Path file = dir.resolve(HANDOVER);
        try {
            if (Files.exists(file)) {
                Files.deleteIfExists(fetched);
                return;
            }
            Files.createDirectories(dir);
            Files.move(fetched, file, StandardCopyOption.ATOMIC_MOVE);
            force(dir);
            force(fetched.getParent());
        } catch (IOException e) {
            throw new StorageException("cannot move the fetched handover " + fetched + " to " + file + ": " + e, e);
        }
    }

    private static void force(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * Records durably that this node moves into {@code handover}'s next configuration (before that
     * configuration's storage is created); does nothing if it is already recorded.
     */
    static void record(Path dataDir, Handover handover) {
        Path dir = dataDir.resolve(PREFIX + handover.nextConfigId());
        Path file = dir.resolve(HANDOVER);
        if (Files.exists(file)) {
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("cannot create " + dir + ": " + e, e);
        }
        handover.writeTo(file);
    }

    /**
     * Deletes what the configurations below {@code configId} left: the TOML configuration's store
     * in {@code dataDir} itself and every lower {@code config-M} folder. The node runs {@code
     * configId} (or retired with its handover) and never opens them again; its handover file holds
     * everything the next nodes may still fetch.
     */
    static void discardBelow(Path dataDir, int configId) {
        PersistentStorage.deleteStore(dataDir);
        if (!Files.isDirectory(dataDir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(dataDir)) {
            for (Path dir : entries.filter(p -> configIdOf(p) > 0 && configIdOf(p) < configId).toList()) {
                PersistentStorage.deleteStore(dir.resolve(STORAGE));
                Files.deleteIfExists(dir.resolve(STORAGE));
                Files.deleteIfExists(dir.resolve(HANDOVER));
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new StorageException("cannot delete old configurations in " + dataDir + ": " + e, e);
        }
    }

    /**
     * The handover into the highest configuration this node has moved into, if any.
     *
     * @throws StorageException naming the file if that handover file is corrupt
     */
    static Optional<Handover> latest(Path dataDir) {
        if (!Files.isDirectory(dataDir)) {
            return Optional.empty();
        }
        try (Stream<Path> entries = Files.list(dataDir)) {
            return entries.filter(p -> configIdOf(p) > 0 && Files.exists(p.resolve(HANDOVER)))
                    .max((a, b) -> Integer.compare(configIdOf(a), configIdOf(b)))
                    .map(p -> Handover.readFrom(p.resolve(HANDOVER)));
        } catch (IOException e) {
            throw new StorageException("cannot list " + dataDir + ": " + e, e);
        }
    }

    /** The configuration id of a {@code config-N} folder, or 0 for anything else. */
    private static int configIdOf(Path path) {
        String name = path.getFileName().toString();
        if (!name.startsWith(PREFIX)) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(name.substring(PREFIX.length())));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
