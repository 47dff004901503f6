package io.omnipaxos.storage.persistent;

import java.util.zip.CRC32C;

/** The CRC32C every checksum of the store uses: log records, state values and the commit mark. */
final class Checksums {

    private Checksums() {}

    /** The CRC32C of {@code bytes[from, from + length)}, as the int the store writes. */
    static int crc32c(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }
}
