package io.omnipaxos.storage.persistent;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.StopSignCodec;
import io.omnipaxos.storage.StorageException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * The small state in a transactional MapDB file: one map from a key to explicitly encoded bytes
 * (ballots as three numbers, indices as longs, never Java serialization). {@link #commit} writes
 * every changed field and commits once, so a crash leaves either the previous or the new state.
 *
 * <p><b>Format 2</b> adds two optional keys, each absent when there is nothing to store: {@code
 * snapshot} (the entry codec's bytes of the snapshot) and {@code stopSign} ({@link StopSignCodec}
 * bytes). Both are stored as {@code CRC32C (4 bytes, big-endian) | bytes}, the checksum covering
 * the bytes, and are checked on {@link #load}: a mismatch refuses to open, naming the file and the
 * key. A format-1 file (written before snapshots existed) has neither key and is read as such; the
 * next commit marks it format 2, which older code refuses to open rather than ignore the snapshot.
 * The snapshot (possibly megabytes) is written only by a commit that changes it.
 */
final class StateStore implements AutoCloseable {

    /** The format written by this code; an unknown one refuses to open. */
    static final long FORMAT = 2;

    /** The format before snapshots and stop-signs, still read. */
    static final long FORMAT_WITHOUT_SNAPSHOTS = 1;

    /** Bytes of the checksum in front of a snapshot or stop-sign value. */
    static final int CRC_BYTES = 4;

    private static final String K_FORMAT = "format";
    private static final String K_PROMISE = "promise";
    private static final String K_ACCEPTED = "acceptedRound";
    private static final String K_DECIDED = "decidedIdx";
    private static final String K_COMPACTED = "compactedIdx";
    private static final String K_LENGTH = "logLength";
    private static final String K_COVERED = "coveredQueueIdx";
    private static final String K_RUNS = "runs";
    static final String K_SNAPSHOT = "snapshot";
    static final String K_STOP_SIGN = "stopSign";

    private final Path file;
    private final DB db;
    private final Map<String, byte[]> map;
    /** The snapshot array the last commit (or load) stored: an identical one is not written again. */
    private byte[] committedSnapshot;
    /** The stop-sign the last commit (or load) stored, compared by identity like the snapshot. */
    private StopSign committedStopSign;

    private StateStore(Path file, DB db) {
        this.file = file;
        this.db = db;
        this.map = db.hashMap("state", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
    }

    /** Opens the file, creating it if {@code create}; wraps every MapDB failure with the file name. */
    static StateStore open(Path file, boolean create) {
        if (!create && !Files.isRegularFile(file)) {
            throw new StorageException("state file " + file + " is missing");
        }
        DB db = null;
        try {
            db = DBMaker.fileDB(file.toFile()).transactionEnable().make();
            return new StateStore(file, db);
        } catch (RuntimeException | Error e) {
            if (db != null) {
                db.close();
            }
            throw new StorageException("cannot open state file " + file + " (corrupt or not a MapDB file?): " + e, e);
        }
    }

    /** The file. */
    Path file() {
        return file;
    }

    /** Whether nothing was ever committed (a new file, or a first open that crashed). */
    boolean isBlank() {
        return map.isEmpty();
    }

    /** Reads the committed state; a missing or malformed field is a {@link StorageException}. */
    DurableState load() {
        long format = readLong(K_FORMAT);
        if (format != FORMAT && format != FORMAT_WITHOUT_SNAPSHOTS) {
            throw new StorageException("state file " + file + " has format " + format + ", expected "
                    + FORMAT_WITHOUT_SNAPSHOTS + " or " + FORMAT);
        }
        DurableState s;
        try {
            s = new DurableState(readBallot(K_PROMISE), readBallot(K_ACCEPTED), readLong(K_DECIDED),
                    readLong(K_COMPACTED), readLong(K_LENGTH), readLong(K_COVERED), require(K_RUNS),
                    readChecked(K_SNAPSHOT), readStopSign());
        } catch (IllegalArgumentException e) {
            throw new StorageException("state file " + file + " holds an invalid value: " + e.getMessage(), e);
        }
        committedSnapshot = s.snapshot();
        committedStopSign = s.stopSign();
        return s;
    }

    /** Writes every changed field of {@code s} and commits: one MapDB commit. */
    void commit(DurableState s) {
        try {
            map.put(K_FORMAT, longBytes(FORMAT));
            map.put(K_PROMISE, ballotBytes(s.promise()));
            map.put(K_ACCEPTED, ballotBytes(s.acceptedRound()));
            map.put(K_DECIDED, longBytes(s.decidedIdx()));
            map.put(K_COMPACTED, longBytes(s.compactedIdx()));
            map.put(K_LENGTH, longBytes(s.logLength()));
            map.put(K_COVERED, longBytes(s.coveredQueueIdx()));
            map.put(K_RUNS, s.runs());
            if (s.snapshot() != committedSnapshot) {
                putChecked(K_SNAPSHOT, s.snapshot());
            }
            if (s.stopSign() != committedStopSign) {
                putChecked(K_STOP_SIGN, s.stopSign() == null ? null : StopSignCodec.encode(s.stopSign()));
            }
            db.commit();
        } catch (RuntimeException e) {
            throw new StorageException("cannot commit state file " + file + ": " + e, e);
        }
        committedSnapshot = s.snapshot();
        committedStopSign = s.stopSign();
    }

    /** Stores {@code bytes} behind their checksum under {@code key}, or removes the key for null. */
    private void putChecked(String key, byte[] bytes) {
        if (bytes == null) {
            map.remove(key);
            return;
        }
        byte[] value = new byte[CRC_BYTES + bytes.length];
        ByteBuffer.wrap(value).putInt(crc32c(bytes, 0, bytes.length));
        System.arraycopy(bytes, 0, value, CRC_BYTES, bytes.length);
        map.put(key, value);
    }

    /** The bytes stored by {@link #putChecked}, checksum verified; null if the key is absent. */
    private byte[] readChecked(String key) {
        byte[] value = map.get(key);
        if (value == null) {
            return null;
        }
        if (value.length < CRC_BYTES) {
            throw new StorageException("state file " + file + ": the stored '" + key + "' is corrupt: "
                    + value.length + " bytes, shorter than its checksum");
        }
        int stored = ByteBuffer.wrap(value).getInt();
        int actual = crc32c(value, CRC_BYTES, value.length - CRC_BYTES);
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

    private static int crc32c(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    private byte[] require(String key) {
        byte[] v = map.get(key);
        if (v == null) {
            throw new StorageException("state file " + file + " has no '" + key + "' (not a complete PersistentStorage state)");
        }
        return v;
    }

    private long readLong(String key) {
        byte[] v = require(key);
        if (v.length != 8) {
            throw new StorageException("state file " + file + ": '" + key + "' has " + v.length + " bytes, expected 8");
        }
        return ByteBuffer.wrap(v).getLong();
    }

    private Ballot readBallot(String key) {
        byte[] v = require(key);
        if (v.length != 20) {
            throw new StorageException("state file " + file + ": '" + key + "' has " + v.length + " bytes, expected 20");
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        return new Ballot(b.getLong(), b.getInt(), b.getLong());
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
