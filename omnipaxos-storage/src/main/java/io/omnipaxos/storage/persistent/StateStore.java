package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small state: two MapDB files ({@link StateSlot}s, {@value #FILE_A} and {@value #FILE_B}) that
 * take the commits in turn, each commit numbered one higher than the last, plus the snapshot in a
 * file of its own ({@link SnapshotFile}).
 *
 * <p><b>Why two files.</b> MapDB's write-ahead log does not survive every crash: a process killed
 * in the middle of a commit can leave the file unreadable on reopen (measured with kill -9 on MapDB
 * 3.1: values cut short, records missing). A commit here writes only the older file, so the newer
 * one, holding the last commit that returned, is never in the middle of a write. Opening reads both
 * and takes the higher commit number that loads; a file that cannot be read is logged, set aside,
 * and rewritten whole by the next commit, and so is one that opened but fails its commit.
 *
 * <p><b>Why that is safe.</b> After a commit returns, its number is copied into the log folder's
 * {@link CommitMark}. If the file that holds the newest commit is damaged at rest, the surviving
 * file is older than the mark and opening is refused, naming both files: a node must never reopen
 * with an older promise than it made. A file that breaks in the middle of its commit held a commit
 * that never returned, so nothing relied on it, and the mark is not ahead of the other file.
 *
 * <p><b>Snapshots.</b> A commit with a snapshot other than the last one written first writes the
 * new snapshot file (forced with its folder), then commits the state naming it; a snapshot file that
 * neither state file names any more is deleted after the commit, and on open.
 */
final class StateStore implements AutoCloseable {

    static final String FILE_A = "state.db";
    static final String FILE_B = "state-b.db";
    private static final Logger LOG = LoggerFactory.getLogger(PersistentStorage.class);

    private final Path dir;
    private final CommitMark mark;
    /** The two slots, index 0 for {@value #FILE_A}; null where a file was set aside as unreadable. */
    private final StateSlot[] slots = new StateSlot[2];
    /** The snapshot file each slot's state names (null: none, or a snapshot inside an older format). */
    private final SnapshotFile.Ref[] refs = new SnapshotFile.Ref[2];
    /** The slot that holds the newest commit. */
    private int current;
    private long commitNumber;
    /** The loaded state; null once handed out. */
    private DurableState loaded;
    /** The snapshot array whose file {@code refs[current]} names: an identical one is not written again. */
    private byte[] writtenSnapshot;

    private StateStore(Path dir, CommitMark mark) {
        this.dir = dir;
        this.mark = mark;
    }

    /**
     * Opens the state in {@code dir} and loads it; a new store (no usable state file, no log
     * records, no commit recorded in {@code mark}) gets an empty state, committed. This store closes
     * {@code mark}.
     *
     * @throws StorageException if no file holds the newest commit, or the state is missing while
     *     {@code hasLog}, naming the files and what was wrong with each
     */
    static StateStore open(Path dir, boolean hasLog, CommitMark mark) {
        StateStore store = new StateStore(dir, mark);
        try {
            store.openSlots(hasLog);
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The file that holds the newest commit, for messages. */
    Path file() {
        return fileOf(current);
    }

    /** The state as opened (once: the caller keeps it from then on). */
    DurableState load() {
        DurableState s = loaded;
        if (s == null) {
            throw new IllegalStateException("the state of " + dir + " was loaded already");
        }
        loaded = null;
        return s;
    }

    /**
     * Commits {@code s} to the older file under the next number, writing its snapshot's file first
     * if the snapshot is another array than the last one written (so the holder must not change the
     * array in place). Only then does the log folder's {@link CommitMark} get the number.
     */
    void commit(DurableState s) {
        long number = commitNumber + 1;
        int target = 1 - current;
        SnapshotFile.Ref ref = refs[current];
        if (s.snapshot() == null) {
            ref = null;
        } else if (s.snapshot() != writtenSnapshot || ref == null) {
            ref = SnapshotFile.write(dir, number, s.snapshot());
        }
        commitTo(target, s, number, ref);
        SnapshotFile.Ref replaced = refs[target];
        refs[target] = ref;
        current = target;
        commitNumber = number;
        writtenSnapshot = s.snapshot();
        mark.record(number);
        if (replaced != null && !replaced.equals(refs[0]) && !replaced.equals(refs[1])) {
            SnapshotFile.delete(dir, replaced);
        }
    }

    /**
     * Commits to slot {@code target}, the older file, creating it if it was set aside. A file that
     * opened but fails its commit (a crash in the middle of its last commit can damage what MapDB
     * reads only when it writes, such as its free-space records) holds no commit that is still
     * needed: the other file holds the last one. So it is set aside and rewritten whole, as one that
     * fails to open is; a second failure (a full or failing disk) is the commit's failure.
     */
    private void commitTo(int target, DurableState s, long number, SnapshotFile.Ref ref) {
        StateSlot slot = slots[target] != null ? slots[target] : create(target);
        try {
            slot.commit(s, number, ref);
        } catch (StorageException damaged) {
            LOG.warn("{}; rewriting that file whole (the other one holds commit #{})", damaged.getMessage(),
                    commitNumber);
            setAside(target);
            create(target).commit(s, number, ref);
        }
    }

    private void openSlots(boolean hasLog) {
        boolean createdAny = false;
        String[] why = new String[2];
        StateSlot.Content[] contents = new StateSlot.Content[2];
        for (int i = 0; i < 2; i++) {
            Path file = fileOf(i);
            boolean exists = Files.isRegularFile(file);
            createdAny |= !exists;
            try {
                slots[i] = StateSlot.open(file);
                contents[i] = slots[i].isBlank() ? null : slots[i].load(dir);
                why[i] = !exists ? "state file " + file + " is missing"
                        : contents[i] == null ? "state file " + file + " holds no state" : null;
            } catch (StorageException e) {
                why[i] = e.getMessage();
                setAside(i);
            }
        }
        int newest = newest(contents);
        if (newest < 0) {
            startEmpty(hasLog, why);
        } else {
            adopt(newest, contents, why);
        }
        if (createdAny) {
            FolderSync.force(dir); // a new state file's entry, before anything relies on it
        }
    }

    /** The slot with the higher commit number, or -1 if neither holds a state. */
    private static int newest(StateSlot.Content[] contents) {
        if (contents[0] == null) {
            return contents[1] == null ? -1 : 1;
        }
        return contents[1] == null || contents[0].commitNumber() >= contents[1].commitNumber() ? 0 : 1;
    }

    /**
     * Takes the newest slot's state, unless the mark says a newer commit was made: then neither file
     * holds it (the other is older, or unreadable, or missing: {@code why}) and opening is refused.
     */
    private void adopt(int newest, StateSlot.Content[] contents, String[] why) {
        StateSlot.Content c = contents[newest];
        int other = 1 - newest;
        if (mark.found() > c.commitNumber()) {
            String otherState = why[other] != null ? why[other]
                    : "state file " + fileOf(other) + " holds commit #" + contents[other].commitNumber();
            throw new StorageException("state file " + fileOf(newest) + " is older than its log: it holds commit #"
                    + c.commitNumber() + " but " + mark.file() + " records that commit #" + mark.found() + " was made; "
                    + otherState + " (restored from an older copy, or damaged?); refusing to open, as the node could hold"
                    + " an older promise than it made");
        }
        if (why[other] != null && slots[other] == null) {
            LOG.warn("using state file {} (commit #{}); the other one is set aside and rewritten by the next commit"
                    + " (a crash in the middle of its commit?): {}", fileOf(newest), c.commitNumber(), why[other]);
        }
        for (int i = 0; i < 2; i++) {
            refs[i] = contents[i] == null ? null : contents[i].snapshotFile();
        }
        current = newest;
        commitNumber = c.commitNumber();
        loaded = c.state();
        writtenSnapshot = refs[newest] == null ? null : c.state().snapshot();
        SnapshotFile.deleteAllBut(dir, referencedNames());
    }

    /** No file holds a state: a new store, unless the log or the mark says otherwise. */
    private void startEmpty(boolean hasLog, String[] why) {
        if (hasLog || mark.found() > 0) {
            throw new StorageException("no state file in " + dir + " holds a state, but " + StoreFolder.logDir(dir)
                    + " holds log records or a commit mark; refusing to open (it would look like an empty store): "
                    + why[0] + "; " + why[1]);
        }
        for (int i = 0; i < 2; i++) {
            if (slots[i] == null) {
                LOG.warn("new store in {}: discarding state file {}, left unreadable by a crash before its first commit: {}",
                        dir, fileOf(i), why[i]);
            }
        }
        SnapshotFile.deleteAllBut(dir, Set.of());
        current = 1; // so the first commit goes to FILE_A
        DurableState empty = DurableState.empty();
        commit(empty);
        loaded = empty;
    }

    /** Closes an unreadable slot; the next commit to it deletes its files and creates it anew ({@link #create}). */
    private void setAside(int i) {
        if (slots[i] != null) {
            try {
                slots[i].close();
            } catch (StorageException e) {
                LOG.debug("closing unreadable state file {}: {}", fileOf(i), e.getMessage());
            }
            slots[i] = null;
        }
    }

    private StateSlot create(int i) {
        StateSlot.deleteFiles(fileOf(i));
        slots[i] = StateSlot.open(fileOf(i));
        FolderSync.force(dir);
        return slots[i];
    }

    private Set<String> referencedNames() {
        Set<String> names = new HashSet<>();
        for (SnapshotFile.Ref ref : refs) {
            if (ref != null) {
                names.add(ref.fileName());
            }
        }
        return names;
    }

    private Path fileOf(int i) {
        return dir.resolve(i == 0 ? FILE_A : FILE_B);
    }

    @Override
    public void close() {
        StorageException failure = null;
        for (int i = 0; i < 2; i++) {
            if (slots[i] != null) {
                try {
                    slots[i].close();
                } catch (StorageException e) {
                    failure = e;
                }
                slots[i] = null;
            }
        }
        mark.close();
        if (failure != null) {
            throw failure;
        }
    }
}
