package io.omnipaxos.storage.persistent;

import io.omnipaxos.Ballot;
import io.omnipaxos.storage.StorageException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * The small state in a transactional MapDB file: one map from a key to explicitly encoded bytes
 * (ballots as three numbers, indices as longs, never Java serialization). {@link #commit} writes
 * every field and commits once, so a crash leaves either the previous or the new state.
 */
final class StateStore implements AutoCloseable {

    /** The format written by this code; an unknown one refuses to open. */
    static final long FORMAT = 1;

    private static final String K_FORMAT = "format";
    private static final String K_PROMISE = "promise";
    private static final String K_ACCEPTED = "acceptedRound";
    private static final String K_DECIDED = "decidedIdx";
    private static final String K_COMPACTED = "compactedIdx";
    private static final String K_LENGTH = "logLength";
    private static final String K_COVERED = "coveredQueueIdx";
    private static final String K_RUNS = "runs";

    private final Path file;
    private final DB db;
    private final Map<String, byte[]> map;

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
        if (format != FORMAT) {
            throw new StorageException("state file " + file + " has format " + format + ", expected " + FORMAT);
        }
        try {
            return new DurableState(readBallot(K_PROMISE), readBallot(K_ACCEPTED), readLong(K_DECIDED),
                    readLong(K_COMPACTED), readLong(K_LENGTH), readLong(K_COVERED), require(K_RUNS));
        } catch (IllegalArgumentException e) {
            throw new StorageException("state file " + file + " holds an invalid value: " + e.getMessage(), e);
        }
    }

    /** Writes every field of {@code s} and commits: one MapDB commit. */
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
            db.commit();
        } catch (RuntimeException e) {
            throw new StorageException("cannot commit state file " + file + ": " + e, e);
        }
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
