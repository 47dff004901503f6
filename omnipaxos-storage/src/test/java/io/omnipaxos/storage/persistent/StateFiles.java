package io.omnipaxos.storage.persistent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/** Reads and rewrites a closed store's {@code state.db} through MapDB, for tests of its format and damage. */
final class StateFiles {

    private StateFiles() {}

    /** The state file of the store in {@code storeDir}. */
    static Path of(Path storeDir) {
        return storeDir.resolve(StoreFolder.STATE_FILE);
    }

    /** Every key and stored value (format 3: behind its checksum). */
    static Map<String, byte[]> read(Path stateFile) {
        try (DB db = DBMaker.fileDB(stateFile.toFile()).transactionEnable().make()) {
            return new HashMap<>(db.hashMap("state", Serializer.STRING, Serializer.BYTE_ARRAY).open());
        }
    }

    /** Replaces every key and value by {@code values}, in one commit. */
    static void write(Path stateFile, Map<String, byte[]> values) {
        try (DB db = DBMaker.fileDB(stateFile.toFile()).transactionEnable().make()) {
            var map = db.hashMap("state", Serializer.STRING, Serializer.BYTE_ARRAY).open();
            map.clear();
            map.putAll(values);
            db.commit();
        }
    }

    /** The format a state file says it has. */
    static long format(Path stateFile) {
        return ByteBuffer.wrap(read(stateFile).get(StateStore.K_FORMAT)).getLong();
    }

    /**
     * Rewrites the format-3 store in {@code storeDir} the way older code wrote it: format 2
     * (checksums only on the snapshot and stop-sign, no commit number, no commit mark) or format 1
     * (neither those keys nor checksums).
     */
    static void downgrade(Path storeDir, long format) throws IOException {
        Files.deleteIfExists(StoreFolder.logDir(storeDir).resolve(CommitMark.FILE_NAME));
        Path stateFile = of(storeDir);
        Map<String, byte[]> values = read(stateFile);
        Map<String, byte[]> old = new HashMap<>();
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
            String key = e.getKey();
            boolean checkedBefore = key.equals(StateStore.K_SNAPSHOT) || key.equals(StateStore.K_STOP_SIGN);
            if (key.equals(StateStore.K_COMMIT_NUMBER) || (checkedBefore && format < StateStore.FORMAT_WITHOUT_CHECKSUMS)) {
                continue;
            }
            byte[] v = e.getValue();
            boolean stripChecksum = !key.equals(StateStore.K_FORMAT) && !checkedBefore;
            old.put(key, stripChecksum ? Arrays.copyOfRange(v, StateStore.CRC_BYTES, v.length) : v);
        }
        old.put(StateStore.K_FORMAT, ByteBuffer.allocate(8).putLong(format).array());
        write(stateFile, old);
    }
}
