package io.omnipaxos.storage.persistent;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.StopSignCodec;
import io.omnipaxos.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * One MapDB file of the small state: one map from a key to explicitly encoded bytes (ballots as
 * three numbers, indices as longs, never Java serialization). {@link StateStore} keeps two of them
 * and commits to them in turn, since MapDB's write-ahead log does not survive every crash: killed
 * in the middle of a commit, the file can reopen damaged (measured: values cut short, records
 * missing, a header it no longer recognises). {@link #commit} writes every field and commits once.
 *
 * <p><b>Format 4</b> stores every value behind a checksum, {@code CRC32C (4 bytes, big-endian) |
 * bytes}, checked on {@link #load}: MapDB itself checks only its header, so a damaged value (a
 * flipped bit in the promise, say) would otherwise be read as a valid older one. A mismatch, a
 * missing key, or a value of the wrong size refuses the file, naming it and the key; a file MapDB
 * cannot open at all is refused naming the file and its size. Every commit has a number ({@code
 * commitNumber}). The snapshot lives in a file of its own ({@link SnapshotFile}); the optional key
 * {@code snapshotFile} names it, {@code stopSign} ({@link StopSignCodec} bytes) holds the stop-sign;
 * both are absent when there is nothing to store.
 *
 * <p><b>Older formats</b> are read: format 3 holds the snapshot itself (key {@code snapshot}),
 * format 2 checksums only the snapshot and stop-sign and numbers no commits, format 1 (before
 * snapshots) has neither. A commit writes format 4 and removes the key {@code snapshot}. Older code
 * refuses a newer format rather than ignore what it cannot check.
 */
final class StateSlot implements AutoCloseable {

    /** The format written by this code; an unknown one refuses to open. */
    static final long FORMAT = 4;

    /** The format with the snapshot inside the file; still read. */
    static final long FORMAT_WITH_SNAPSHOT_INSIDE = 3;

    /** The format with checksums on the snapshot and stop-sign only, and no commit numbers; still read. */
    static final long FORMAT_WITHOUT_CHECKSUMS = 2;

    /** The format before snapshots and stop-signs, still read. */
    static final long FORMAT_WITHOUT_SNAPSHOTS = 1;

    /** Bytes of the checksum in front of a value. */
    static final int CRC_BYTES = 4;

    static final String K_FORMAT = "format";
    static final String K_PROMISE = "promise";
    private static final String K_ACCEPTED = "acceptedRound";
    private static final String K_DECIDED = "decidedIdx";
    private static final String K_COMPACTED = "compactedIdx";
    private static final String K_LENGTH = "logLength";
    private static final String K_COVERED = "coveredQueueIdx";
    private static final String K_RUNS = "runs";
    static final String K_COMMIT_NUMBER = "commitNumber";
    static final String K_SNAPSHOT = "snapshot";
    static final String K_SNAPSHOT_FILE = "snapshotFile";
    static final String K_STOP_SIGN = "stopSign";

    /**
     * What a slot holds.
     *
     * @param state the committed state, with the snapshot's bytes
     * @param commitNumber the commit's number (0 for formats before numbers)
     * @param snapshotFile the snapshot file the state names, or null (no snapshot, or one stored inside)
     */
    record Content(DurableState state, long commitNumber, SnapshotFile.Ref snapshotFile) {}

    private final Path file;
    private final DB db;
    private final Map<String, byte[]> map;
    /** The format of the loaded file; values of an older one are read as it wrote them. */
    private long format = FORMAT;

    private StateSlot(Path file, DB db) {
        this.file = file;
        this.db = db;
        this.map = db.hashMap("state", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
    }

    /** Opens (or creates) the file; wraps every MapDB failure with the file name and size. */
    static StateSlot open(Path file) {
        DB db = null;
        try {
            db = DBMaker.fileDB(file.toFile()).transactionEnable().make();
            return new StateSlot(file, db);
        } catch (RuntimeException | Error e) {
            if (db != null) {
                try {
                    db.close();
                } catch (RuntimeException | Error ignored) {
                    // the open failure is what matters
                }
            }
            throw new StorageException("cannot open state file " + file + " (" + sizeOf(file) + "; damaged, cut short,"
                    + " or not a MapDB file?): " + causes(e), e);
        }
    }

    /** Deletes a closed slot's file and MapDB's write-ahead log files next to it. */
    static void deleteFiles(Path file) {
        String name = file.getFileName().toString();
        try {
            StoreFolder.deleteFiles(file.getParent(), n -> n.equals(name) || n.startsWith(name + "."));
        } catch (IOException e) {
            throw new StorageException("cannot delete state file " + file + ": " + e, e);
        }
    }

    /** The file. */
    Path file() {
        return file;
    }

    /** Whether nothing was ever committed (a new file, or a first commit that crashed). */
    boolean isBlank() {
        try {
            return map.isEmpty();
        } catch (RuntimeException | Error e) {
            throw new StorageException("state file " + file + " (" + sizeOf(file) + "): cannot list its keys (damaged?): "
                    + causes(e), e);
        }
    }

    /**
     * Reads the committed state, the snapshot from its file in {@code dir}; a missing, damaged or
     * malformed field is a {@link StorageException} naming the file and the key.
     */
    Content load(Path dir) {
        format = readRawLong(K_FORMAT);
        if (format < FORMAT_WITHOUT_SNAPSHOTS || format > FORMAT) {
            throw new StorageException("state file " + file + " has format " + format + ", expected "
                    + FORMAT_WITHOUT_SNAPSHOTS + " to " + FORMAT + " (damaged, or written by newer code)");
        }
        SnapshotFile.Ref ref = readSnapshotRef();
        byte[] snapshot = ref != null ? SnapshotFile.read(dir, ref) : readChecked(K_SNAPSHOT);
        DurableState s;
        try {
            s = new DurableState(readBallot(K_PROMISE), readBallot(K_ACCEPTED), readLong(K_DECIDED),
                    readLong(K_COMPACTED), readLong(K_LENGTH), readLong(K_COVERED), value(K_RUNS),
                    snapshot, readStopSign());
        } catch (IllegalArgumentException e) {
            throw new StorageException("state file " + file + " holds an invalid value: " + e.getMessage(), e);
        }
        long number = format >= FORMAT_WITH_SNAPSHOT_INSIDE ? readLong(K_COMMIT_NUMBER) : 0;
        return new Content(s, number, ref);
    }

    /**
     * Writes every field of {@code s} as commit {@code number}, its snapshot named by {@code
     * snapshotFile} (null: none), and commits: one MapDB commit.
     */
    void commit(DurableState s, long number, SnapshotFile.Ref snapshotFile) {
        try {
            map.put(K_FORMAT, longBytes(FORMAT));
            putChecked(K_PROMISE, ballotBytes(s.promise()));
            putChecked(K_ACCEPTED, ballotBytes(s.acceptedRound()));
            putChecked(K_DECIDED, longBytes(s.decidedIdx()));
            putChecked(K_COMPACTED, longBytes(s.compactedIdx()));
            putChecked(K_LENGTH, longBytes(s.logLength()));
            putChecked(K_COVERED, longBytes(s.coveredQueueIdx()));
            putChecked(K_RUNS, s.runs());
            putChecked(K_COMMIT_NUMBER, longBytes(number));
            map.remove(K_SNAPSHOT);
            putChecked(K_SNAPSHOT_FILE, snapshotFile == null ? null : snapshotFile.toBytes());
            putChecked(K_STOP_SIGN, s.stopSign() == null ? null : StopSignCodec.encode(s.stopSign()));
            db.commit();
        } catch (RuntimeException e) {
            throw new StorageException("cannot commit state file " + file + ": " + e, e);
        }
        format = FORMAT;
    }

    private SnapshotFile.Ref readSnapshotRef() {
        byte[] bytes = format == FORMAT ? readChecked(K_SNAPSHOT_FILE) : null;
        if (bytes == null) {
            return null;
        }
        if (bytes.length != SnapshotFile.Ref.BYTES) {
            throw new StorageException("state file " + file + ": '" + K_SNAPSHOT_FILE + "' has " + bytes.length
                    + " bytes, expected " + SnapshotFile.Ref.BYTES);
        }
        return SnapshotFile.Ref.fromBytes(bytes);
    }

    /** Stores {@code bytes} behind their checksum under {@code key}, or removes the key for null. */
    private void putChecked(String key, byte[] bytes) {
        if (bytes == null) {
            map.remove(key);
            return;
        }
        byte[] value = new byte[CRC_BYTES + bytes.length];
        ByteBuffer.wrap(value).putInt(Checksums.crc32c(bytes, 0, bytes.length));
        System.arraycopy(bytes, 0, value, CRC_BYTES, bytes.length);
        map.put(key, value);
    }

    /** The bytes stored by {@link #putChecked}, checksum verified; null if the key is absent. */
    private byte[] readChecked(String key) {
        byte[] value = get(key);
        if (value == null) {
            return null;
        }
        if (value.length < CRC_BYTES) {
            throw new StorageException("state file " + file + ": the stored '" + key + "' is corrupt: "
                    + value.length + " bytes, shorter than its checksum");
        }
        int stored = ByteBuffer.wrap(value).getInt();
        int actual = Checksums.crc32c(value, CRC_BYTES, value.length - CRC_BYTES);
        if (stored != actual) {
            throw new StorageException("state file " + file + ": the stored '" + key + "' ("
                    + (value.length - CRC_BYTES) + " bytes) is corrupt: checksum mismatch (stored 0x"
                    + Integer.toHexString(stored) + ", computed 0x" + Integer.toHexString(actual) + ")");
        }
        return Arrays.copyOfRange(value, CRC_BYTES, value.length);
    }

    private StopSign readStopSign() {
        byte[] bytes = readChecked(K_STOP_SIGN);
        if (bytes == null) {
            return null;
        }
        try {
            return StopSignCodec.decode(bytes);
        } catch (DecodeException e) {
            throw new StorageException("state file " + file + ": the stored '" + K_STOP_SIGN
                    + "' passes its checksum but cannot be decoded: " + e.getMessage(), e);
        }
    }

    /** The stored value of {@code key} (null if absent), any MapDB failure reported with the file and key. */
    private byte[] get(String key) {
        try {
            return map.get(key);
        } catch (RuntimeException | Error e) {
            throw new StorageException("state file " + file + " (" + sizeOf(file) + "): cannot read '" + key
                    + "' (damaged or cut short?): " + causes(e), e);
        }
    }

    /** The bytes of a required key, checksum verified unless the file's format predates that. */
    private byte[] value(String key) {
        byte[] v = format >= FORMAT_WITH_SNAPSHOT_INSIDE ? readChecked(key) : get(key);
        if (v == null) {
            throw new StorageException("state file " + file + " has no '" + key + "' (not a complete PersistentStorage state)");
        }
        return v;
    }

    /** The format key, which says how the others are stored, so it is stored without a checksum. */
    private long readRawLong(String key) {
        byte[] v = get(key);
        if (v == null) {
            throw new StorageException("state file " + file + " has no '" + key + "' (not a complete PersistentStorage state)");
        }
        return toLong(key, v);
    }

    private long readLong(String key) {
        return toLong(key, value(key));
    }

    private long toLong(String key, byte[] v) {
        if (v.length != 8) {
            throw new StorageException("state file " + file + ": '" + key + "' has " + v.length + " bytes, expected 8");
        }
        return ByteBuffer.wrap(v).getLong();
    }

    private Ballot readBallot(String key) {
        byte[] v = value(key);
        if (v.length != 20) {
            throw new StorageException("state file " + file + ": '" + key + "' has " + v.length + " bytes, expected 20");
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        try {
            return new Ballot(b.getLong(), b.getInt(), b.getLong());
        } catch (IllegalArgumentException e) { // e.g. a round above Ballot.MAX_N, written before that bound
            throw new StorageException("state file " + file + ": '" + key + "' holds an invalid ballot: "
                    + e.getMessage(), e);
        }
    }

    /** The file's size for a message, or why it has none. */
    private static String sizeOf(Path file) {
        try {
            return Files.size(file) + " bytes";
        } catch (IOException e) {
            return "size unknown: " + e;
        }
    }

    /** {@code e} and up to three causes, for a message: MapDB's own exceptions often say little. */
    private static String causes(Throwable e) {
        StringBuilder out = new StringBuilder(e.toString());
        Throwable c = e.getCause();
        for (int i = 0; i < 3 && c != null && c != e; i++, c = c.getCause()) {
            out.append(" <- ").append(c);
        }
        return out.toString();
    }

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static byte[] ballotBytes(Ballot b) {
        return ByteBuffer.allocate(20).putLong(b.n()).putInt(b.priority()).putLong(b.pid()).array();
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (RuntimeException e) {
            throw new StorageException("cannot close state file " + file + ": " + e, e);
        }
    }
}
