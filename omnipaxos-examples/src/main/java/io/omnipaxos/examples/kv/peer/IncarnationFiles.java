package io.omnipaxos.examples.kv.peer;

import io.omnipaxos.examples.kv.peer.Incarnations.Member;
import io.omnipaxos.storage.StorageException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The two small files in a data folder that say which incarnation of a node it holds and which
 * incarnations of its peers the node has recorded ({@link Incarnations}). Both are written
 * atomically and durably (a temporary file, forced, renamed over the file, the folder forced) and
 * end with a CRC32C of everything before it; big-endian:
 *
 * <pre>
 * incarnation = magic:"KVIN" version:u8 (1) pid:i64 incarnation:i64 crc32c:i32
 * peers-seen  = magic:"KVPS" version:u8 (1) count:i32 count * (configurationId:i32 pid:i64 incarnation:i64) crc32c:i32
 * </pre>
 *
 * A file that is damaged, of another version or (for the incarnation) of another pid is an error
 * naming it, never ignored: without it the node would not know who it is.
 */
final class IncarnationFiles {

    static final String INCARNATION = "incarnation";
    static final String PEERS_SEEN = "peers-seen";

    private static final int INCARNATION_MAGIC = 0x4B56494E; // "KVIN"
    private static final int PEERS_SEEN_MAGIC = 0x4B565053; // "KVPS"
    private static final byte VERSION = 1;
    private static final int INCARNATION_BYTES = 4 + 1 + 8 + 8 + 4;
    private static final int ENTRY_BYTES = 4 + 8 + 8;
    private static final int PEERS_SEEN_FIXED_BYTES = 4 + 1 + 4 + 4;

    private IncarnationFiles() {}

    /**
     * The incarnation recorded in {@code dataDir}, if the file exists.
     *
     * @throws StorageException naming the file if it cannot be read, is damaged or belongs to another pid
     */
    static Long readIncarnation(Path dataDir, long pid) {
        Path file = dataDir.resolve(INCARNATION);
        if (!Files.exists(file)) {
            return null;
        }
        ByteBuffer in = checked(file, INCARNATION_MAGIC, INCARNATION_BYTES);
        long filePid = in.getLong();
        long incarnation = in.getLong();
        if (filePid != pid) {
            throw new StorageException(file + " belongs to pid " + filePid + ", not to this node, pid " + pid
                    + ": a data folder serves one node");
        }
        return incarnation;
    }

    /** Writes {@code dataDir}'s incarnation file, atomically and durably. */
    static void writeIncarnation(Path dataDir, long pid, long incarnation) {
        ByteBuffer out = ByteBuffer.allocate(INCARNATION_BYTES);
        out.putInt(INCARNATION_MAGIC).put(VERSION).putLong(pid).putLong(incarnation);
        AtomicFile.write(dataDir.resolve(INCARNATION), ByteBuffer.wrap(sealed(out)));
    }

    /**
     * The peers' incarnations recorded in {@code dataDir} (empty if the file does not exist).
     *
     * @throws StorageException naming the file if it cannot be read or is damaged
     */
    static Map<Member, Long> readPeersSeen(Path dataDir) {
        Path file = dataDir.resolve(PEERS_SEEN);
        Map<Member, Long> seen = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return seen;
        }
        ByteBuffer in = checked(file, PEERS_SEEN_MAGIC, -1);
        int count = in.getInt();
        if (count < 0 || count > Incarnations.MAX_ENTRIES || in.remaining() != (long) count * ENTRY_BYTES) {
            throw new StorageException(file + " is damaged: it claims " + count + " entries, " + in.remaining()
                    + " bytes of entries follow");
        }
        for (int i = 0; i < count; i++) {
            seen.put(new Member(in.getInt(), in.getLong()), in.getLong());
        }
        return seen;
    }

    /** Writes {@code dataDir}'s peers-seen file, atomically and durably. */
    static void writePeersSeen(Path dataDir, Map<Member, Long> seen) {
        ByteBuffer out = ByteBuffer.allocate(PEERS_SEEN_FIXED_BYTES + seen.size() * ENTRY_BYTES);
        out.putInt(PEERS_SEEN_MAGIC).put(VERSION).putInt(seen.size());
        seen.forEach((member, incarnation) -> out.putInt(member.configurationId()).putLong(member.pid())
                .putLong(incarnation));
        AtomicFile.write(dataDir.resolve(PEERS_SEEN), ByteBuffer.wrap(sealed(out)));
    }

    /** The largest peers-seen file. */
    static int maxPeersSeenBytes() {
        return PEERS_SEEN_FIXED_BYTES + Incarnations.MAX_ENTRIES * ENTRY_BYTES;
    }

    /** Puts the CRC32C of everything before it at the end of {@code out}, which it fills. */
    private static byte[] sealed(ByteBuffer out) {
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    /**
     * Reads {@code file} (of exactly {@code bytes} bytes, or any size up to the largest peers-seen
     * file if negative), checks its magic, version and checksum; returns it positioned after them.
     */
    private static ByteBuffer checked(Path file, int magic, int bytes) {
        try {
            long size = Files.size(file);
            if (bytes >= 0 ? size != bytes : size < PEERS_SEEN_FIXED_BYTES || size > maxPeersSeenBytes()) {
                throw new StorageException(file + " is damaged: " + size + " bytes");
            }
            byte[] content = Files.readAllBytes(file);
            CRC32C crc = new CRC32C();
            crc.update(content, 0, content.length - 4);
            ByteBuffer in = ByteBuffer.wrap(content);
            if (in.getInt() != magic || in.get() != VERSION) {
                throw new StorageException(file + " is not a version-" + VERSION + " " + file.getFileName() + " file");
            }
            if (in.getInt(content.length - 4) != (int) crc.getValue()) {
                throw new StorageException(file + " is damaged: checksum mismatch");
            }
            return in.limit(content.length - 4).slice().order(in.order());
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + e, e);
        } catch (BufferUnderflowException e) {
            throw new StorageException(file + " is damaged: it ends early", e);
        }
    }
}
