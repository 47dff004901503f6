package io.omnipaxos.storage.persistent;

import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.storage.StorageException;
import java.nio.ByteBuffer;

/**
 * A snapshot in bytes: the entry codec encodes snapshots as it encodes entries (the snapshot has
 * the entry type). The checksum around the bytes is {@link SnapshotFile}'s business.
 */
final class SnapshotBytes {

    private SnapshotBytes() {
    }

    /**
     * Encodes {@code snapshot}, the state of the log below {@code idx}; a codec failure, or a codec
     * that writes another size than it announced, is a {@link StorageException}.
     */
    static <T> byte[] encode(EntryCodec<T> codec, long idx, T snapshot) {
        try {
            int size = codec.encodedSize(snapshot);
            ByteBuffer out = ByteBuffer.allocate(size);
            codec.encode(snapshot, out);
            if (out.position() != size) {
                throw new StorageException("codec " + codec + " wrote " + out.position() + " bytes for the snapshot "
                        + "below log index " + idx + " but encodedSize said " + size);
            }
            return out.array();
        } catch (StorageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StorageException("codec " + codec + " cannot encode the snapshot below log index " + idx
                    + ": " + e, e);
        }
    }

    /**
     * Decodes what {@link #encode} wrote; anything but one whole non-null snapshot is a {@link
     * StorageException} that starts with {@code where} (the file and what it holds).
     */
    static <T> T decode(EntryCodec<T> codec, byte[] bytes, String where) {
        ByteBuffer in = ByteBuffer.wrap(bytes.clone()); // the codec may keep or change what it is given
        T snapshot;
        try {
            snapshot = codec.decode(in);
        } catch (DecodeException e) {
            throw new StorageException(where + " cannot be decoded: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new StorageException(where + " cannot be decoded: codec " + codec + " threw " + e, e);
        }
        if (snapshot == null) {
            throw new StorageException(where + " cannot be decoded: codec " + codec + " returned null");
        }
        if (in.hasRemaining()) {
            throw new StorageException(where + " cannot be decoded: codec " + codec + " left " + in.remaining()
                    + " of " + bytes.length + " bytes unread");
        }
        return snapshot;
    }
}
