package io.omnipaxos.examples.kv.state;

import io.omnipaxos.codec.StringCodec;
import java.util.Objects;

/**
 * One client request as it is stored in the replicated log: who sent it, its number, what to do,
 * and which replies the client has already received.
 *
 * @param clientId the client's id, unique per client session, non-zero
 * @param requestNumber the request's number within the client, from 1; a retry reuses it
 * @param ackedUpTo the client has received the replies of all its requests numbered up to this one
 *     (0: none); lets the servers forget those replies
 * @param op the operation
 * @param key the key, at most {@link #MAX_KEY_BYTES} UTF-8 bytes
 * @param value the value for PUT and APPEND (empty for GET and DELETE), at most {@link
 *     #MAX_VALUE_BYTES} UTF-8 bytes
 */
public record KvCommand(long clientId, long requestNumber, long ackedUpTo, KvOp op, String key, String value)
        implements KvEntry {

    /** The longest key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;

    /** The longest value one request may carry, in UTF-8 bytes. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException naming the field that is out of range
     */
    public KvCommand {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (clientId == 0) {
            throw new IllegalArgumentException("clientId must be non-zero");
        }
        if (requestNumber < 1) {
            throw new IllegalArgumentException("requestNumber must be >= 1, got " + requestNumber);
        }
        if (ackedUpTo < 0 || ackedUpTo >= requestNumber) {
            throw new IllegalArgumentException("ackedUpTo must be in [0, requestNumber=" + requestNumber + "), got "
                    + ackedUpTo);
        }
        if (!op.hasValue() && !value.isEmpty()) {
            throw new IllegalArgumentException(op + " carries no value, got " + value.length() + " chars");
        }
        requireUtf8Bytes("key", key, MAX_KEY_BYTES);
        requireUtf8Bytes("value", value, MAX_VALUE_BYTES);
    }

    private static void requireUtf8Bytes(String name, String text, int maxBytes) {
        if (text.length() > maxBytes) { // a char is at least one UTF-8 byte: too long already
            throw new IllegalArgumentException(name + " is " + text.length() + " chars, more than the limit of "
                    + maxBytes + " UTF-8 bytes");
        }
        int bytes;
        try {
            bytes = StringCodec.INSTANCE.encodedSize(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
        if (bytes > maxBytes) {
            throw new IllegalArgumentException(name + " is " + bytes + " UTF-8 bytes, more than the limit of " + maxBytes);
        }
    }
}
