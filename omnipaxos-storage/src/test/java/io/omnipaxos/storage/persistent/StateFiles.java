package io.omnipaxos.storage.persistent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/** Reads and rewrites a closed store's state files through MapDB, for tests of their format and damage. */
final class StateFiles {

    private StateFiles() {}

    /** The state file of the store in {@code storeDir} that holds the newest commit. */
    static Path of(Path storeDir) {
        Path a = storeDir.resolve(StateStore.FILE_A);
        Path b = storeDir.resolve(StateStore.FILE_B);
        if (!Files.exists(a) || !Files.exists(b)) {
            return Files.exists(a) ? a : b;
        }
        return commitNumber(b) > commitNumber(a) ? b : a;
    }

    /** Both state files of the store in {@code storeDir}. */
    static Set<Path> both(Path storeDir) {
        return Set.of(storeDir.resolve(StateStore.FILE_A), storeDir.resolve(StateStore.FILE_B));
    }

    /** The commit number a state file holds (-1: none). */
    static long commitNumber(Path stateFile) {
        byte[] v = read(stateFile).get(StateSlot.K_COMMIT_NUMBER);
        return v == null ? -1 : ByteBuffer.wrap(v, StateSlot.CRC_BYTES, 8).getLong();
    }

    /** Every key and stored value (formats 3 and 4: behind its checksum). */
    static Map<String, byte[]> read(Path stateFile) {
        try (DB db = DBMaker.fileDB(stateFile.toFile()).transactionEnable().make()) {
            return new HashMap<>(db.hashMap("state", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen());
        }
    }

    /** Replaces every key and value by {@code values}, in one commit. */
    static void write(Path stateFile, Map<String, byte[]> values) {
        try (DB db = DBMaker.fileDB(stateFile.toFile()).transactionEnable().make()) {
            var map = db.hashMap("state", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
            map.clear();
            map.putAll(values);
            db.commit();
        }
    }

    /** The format a state file says it has. */
    static long format(Path stateFile) {
        return ByteBuffer.wrap(read(stateFile).get(StateSlot.K_FORMAT)).getLong();
    }

    /**
     * Rewrites the store in {@code storeDir} the way older code wrote it, in one state file ({@value
     * StateStore#FILE_A}): format 3 (the snapshot inside it), format 2 (also checksums only on the
     * snapshot and stop-sign, no commit number, no commit mark) or format 1 (neither those keys nor
     * checksums).
     */
    static void downgrade(Path storeDir, long format) throws IOException {
        Path newest = of(storeDir);
        Map<String, byte[]> values = read(newest);
        moveSnapshotInside(storeDir, values);
        if (format < StateSlot.FORMAT_WITH_SNAPSHOT_INSIDE) {
            values = withoutChecksums(values, format);
            Files.deleteIfExists(StoreFolder.logDir(storeDir).resolve(CommitMark.FILE_NAME));
        }
        values.put(StateSlot.K_FORMAT, ByteBuffer.allocate(8).putLong(format).array());
        StateSlot.deleteFiles(storeDir.resolve(StateStore.FILE_B));
        StateSlot.deleteFiles(storeDir.resolve(StateStore.FILE_A));
        write(storeDir.resolve(StateStore.FILE_A), values);
        SnapshotFile.deleteAllBut(storeDir, Set.of());
    }

    /** Replaces the reference to a snapshot file by the snapshot itself, behind its checksum (format 3). */
    private static void moveSnapshotInside(Path storeDir, Map<String, byte[]> values) {
        byte[] refBytes = values.remove(StateSlot.K_SNAPSHOT_FILE);
        if (refBytes == null) {
            return;
        }
        SnapshotFile.Ref ref = SnapshotFile.Ref.fromBytes(Arrays.copyOfRange(refBytes, StateSlot.CRC_BYTES, refBytes.length));
        byte[] snapshot = SnapshotFile.read(storeDir, ref);
        byte[] value = new byte[StateSlot.CRC_BYTES + snapshot.length];
        ByteBuffer.wrap(value).putInt(Checksums.crc32c(snapshot, 0, snapshot.length));
        System.arraycopy(snapshot, 0, value, StateSlot.CRC_BYTES, snapshot.length);
        values.put(StateSlot.K_SNAPSHOT, value);
    }

    private static Map<String, byte[]> withoutChecksums(Map<String, byte[]> values, long format) {
        Map<String, byte[]> old = new HashMap<>();
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
            String key = e.getKey();
            boolean checkedBefore = key.equals(StateSlot.K_SNAPSHOT) || key.equals(StateSlot.K_STOP_SIGN);
            if (key.equals(StateSlot.K_COMMIT_NUMBER) || (checkedBefore && format < StateSlot.FORMAT_WITHOUT_CHECKSUMS)) {
                continue;
            }
            byte[] v = e.getValue();
            boolean stripChecksum = !key.equals(StateSlot.K_FORMAT) && !checkedBefore;
            old.put(key, stripChecksum ? Arrays.copyOfRange(v, StateSlot.CRC_BYTES, v.length) : v);
        }
        return old;
    }
}
