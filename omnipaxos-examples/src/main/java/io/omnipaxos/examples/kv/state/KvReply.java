package io.omnipaxos.examples.kv.state;

import java.util.Objects;

/**
 * The answer to one request.
 *
 * @param requestNumber the number of the request answered (0 if the request could not be read)
 * @param status how it ended
 * @param leaderHint for {@link KvStatus#NOT_LEADER}, the pid of the leader this server knows (0 if
 *     none); 0 otherwise
 * @param text the value for a successful GET, the reason for an {@link KvStatus#ERROR}, else empty
 */
public record KvReply(long requestNumber, KvStatus status, long leaderHint, String text) {

    /** The longest error text, in chars; longer reasons are cut so a reply always fits its frame. */
    public static final int MAX_ERROR_CHARS = 512;

    /** Validates the fields. */
    public KvReply {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(text, "text");
    }

    /** A successful reply without a value. */
    public static KvReply ok(long requestNumber) {
        return new KvReply(requestNumber, KvStatus.OK, 0, "");
    }

    /** A successful reply carrying {@code value}. */
    public static KvReply value(long requestNumber, String value) {
        return new KvReply(requestNumber, KvStatus.OK, 0, value);
    }

    /** A SESSION_EXPIRED reply: the client must register a new session. */
    public static KvReply sessionExpired(long requestNumber) {
        return new KvReply(requestNumber, KvStatus.SESSION_EXPIRED, 0, "");
    }

    /** A NOT_FOUND reply. */
    public static KvReply notFound(long requestNumber) {
        return new KvReply(requestNumber, KvStatus.NOT_FOUND, 0, "");
    }

    /** A NOT_LEADER reply pointing at {@code leaderPid} (0: unknown). */
    public static KvReply notLeader(long requestNumber, long leaderPid) {
        return new KvReply(requestNumber, KvStatus.NOT_LEADER, leaderPid, "");
    }

    /**
     * A NOT_LEADER reply pointing at {@code leaderPid}, with its client endpoint {@code host:port}
     * as the text, so that a client that does not know that node (added by a reconfiguration) can
     * reach it.
     */
    public static KvReply notLeader(long requestNumber, long leaderPid, String leaderClientEndpoint) {
        return new KvReply(requestNumber, KvStatus.NOT_LEADER, leaderPid, leaderClientEndpoint);
    }

    /** An ERROR reply; {@code reason} is cut to {@link #MAX_ERROR_CHARS}. */
    public static KvReply error(long requestNumber, String reason) {
        int end = Math.min(reason.length(), MAX_ERROR_CHARS);
        if (end < reason.length() && Character.isHighSurrogate(reason.charAt(end - 1))) {
            end--; // never split a surrogate pair: the half would not encode as UTF-8
        }
        String text = reason.substring(0, end);
        return new KvReply(requestNumber, KvStatus.ERROR, 0, text);
    }
}
