package io.omnipaxos.examples.kv.state;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The replicated key-value map: applies decided {@link KvCommand}s in log order, at most once each.
 *
 * <p><b>At-most-once.</b> Per client id a {@link Session} keeps the client's acknowledged mark and
 * the replies of its applied but not yet acknowledged writes. A write whose (client, number) was
 * already applied is not applied again: it gets the recorded reply. A GET changes nothing, so its
 * reply is not kept: a retried GET is answered again, with the value at its new place in the log,
 * which is still within the request's time (the client is still waiting), so reads stay
 * linearizable and the table holds only small outcomes of writes. Each command carries the
 * client's {@code ackedUpTo}; replies up to it are dropped, so a session holds at most {@link
 * #MAX_UNACKED_PER_CLIENT} replies. A request at or below the mark can only be a late duplicate of
 * one whose reply the client already has, so it is refused without being applied.
 *
 * <p><b>Sessions.</b> A session starts with a {@link KvOp#REGISTER} command (what {@code KvClient}
 * sends first), or with a client's command number 1 (for simple clients that number from 1 and
 * never register). A command of any other number from an unknown client is not applied: it gets
 * {@link KvStatus#SESSION_EXPIRED}, because its session may have been evicted after applying it,
 * and applying it again would break at-most-once. The client then registers a new session and
 * reports the request's outcome as unknown. Eviction depends only on the log, so every replica
 * expires the same sessions at the same place.
 *
 * <p><b>Bounds.</b> At most {@link #MAX_SESSIONS} sessions and {@link #MAX_RECORDED_REPLIES} recorded
 * replies in all (an error's text is kept to {@link #MAX_RECORDED_ERROR_CHARS}): beyond either,
 * the session used least recently (in log order) is evicted. Eviction depends only on the log, so every replica evicts the
 * same sessions; a client silent for that many other clients' sessions is told its session
 * expired, which is the price of bounded memory (Raft's session expiry makes the same trade).
 * A stored value is at most {@link #MAX_STORED_VALUE_BYTES}; an APPEND past it is refused.
 *
 * <p>Deterministic and single-threaded: every replica that applies the same log reaches the same state.
 */
public final class KvStateMachine {

    /** The most replies a client may have applied but not acknowledged; more are refused. */
    public static final int MAX_UNACKED_PER_CLIENT = 1024;

    /** The most client sessions kept; the least recently used one is evicted beyond this. */
    public static final int MAX_SESSIONS = 100_000;

    /** The most replies recorded across all sessions; least recently used sessions go beyond it. */
    public static final int MAX_RECORDED_REPLIES = 200_000;

    /** The longest error text a recorded reply keeps (the first answer carries the whole text). */
    public static final int MAX_RECORDED_ERROR_CHARS = 128;

    /** The longest value a key may hold, in UTF-8 bytes (APPEND grows values). */
    public static final int MAX_STORED_VALUE_BYTES = 1024 * 1024;

    /** Keys and values; a copy shares segments with it until either side writes them. */
    final SegmentedMap data;
    /** Access-ordered: iteration starts at the least recently used session. */
    final LinkedHashMap<Long, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);
    long appliedCount;
    long duplicateCount;
    /** The replies recorded in all sessions together. */
    long recordedReplies;
    /**
     * Bumped by {@link #copy()}: a session of an older generation is shared with a copy, so it is
     * cloned before it changes ({@link #writable}).
     */
    private long generation;

    /** An empty state machine. */
    public KvStateMachine() {
        this(new SegmentedMap());
    }

    private KvStateMachine(SegmentedMap data) {
        this.data = data;
    }

    /** What the state machine remembers of one client. */
    static final class Session {
        /** The client has the replies of all requests numbered up to this. */
        long ackedUpTo;
        /** Replies of applied requests above {@link #ackedUpTo}, in request-number order (so the
         *  acknowledged prefix is cut from the front). */
        RecordedReplies replies = new RecordedReplies();
        /** The state machine's generation when this session was made; older ones are shared. */
        long generation;
    }

    /** Applies {@code command} (or recognises it as a duplicate) and returns its reply. */
    public KvReply apply(KvCommand command) {
        long number = command.requestNumber();
        Session session = sessions.get(command.clientId());
        if (session == null) {
            if (command.op() != KvOp.REGISTER && number != 1) {
                return KvReply.sessionExpired(number);
            }
            session = newSession(command.clientId(), command.ackedUpTo());
        } else {
            session = writable(command.clientId(), session);
        }
        acknowledge(session, command.ackedUpTo());
        if (number <= session.ackedUpTo) {
            duplicateCount++;
            return KvReply.error(number, "request " + number + " of client " + command.clientId()
                    + " was already answered and acknowledged");
        }
        KvReply recorded = session.replies.get(number);
        if (recorded != null) {
            duplicateCount++;
            return recorded;
        }
        if (session.replies.size() >= MAX_UNACKED_PER_CLIENT) {
            return KvReply.error(number, "client " + command.clientId() + " has " + MAX_UNACKED_PER_CLIENT
                    + " unacknowledged replies; acknowledge some first");
        }
        KvReply reply = execute(command);
        appliedCount++;
        if (command.op() != KvOp.GET) {
            record(command.clientId(), session, reply);
        }
        return reply;
    }

    /** Keeps the outcome of a write for its retries, within the table's bounds. */
    private void record(long clientId, Session session, KvReply reply) {
        KvReply kept = reply.status() == KvStatus.ERROR && reply.text().length() > MAX_RECORDED_ERROR_CHARS
                ? KvReply.error(reply.requestNumber(), reply.text().substring(0, MAX_RECORDED_ERROR_CHARS))
                : reply;
        session.replies.put(reply.requestNumber(), kept);
        recordedReplies++;
        evictWhileOver(clientId);
    }

    /** Evicts least recently used sessions (never {@code current}'s) while a bound is exceeded. */
    private void evictWhileOver(long current) {
        if (sessions.size() <= MAX_SESSIONS && recordedReplies <= MAX_RECORDED_REPLIES) {
            return;
        }
        Iterator<Map.Entry<Long, Session>> eldest = sessions.entrySet().iterator();
        while ((sessions.size() > MAX_SESSIONS || recordedReplies > MAX_RECORDED_REPLIES) && eldest.hasNext()) {
            Map.Entry<Long, Session> entry = eldest.next();
            if (entry.getKey() != current) {
                recordedReplies -= entry.getValue().replies.size();
                eldest.remove();
            }
        }
    }

    /**
     * The answer to a GET from the current state, changing nothing (no session, no count): for a read
     * served through a read index instead of the log.
     *
     * @throws IllegalArgumentException if {@code get} is not a GET
     */
    public KvReply read(KvCommand get) {
        if (get.op() != KvOp.GET) {
            throw new IllegalArgumentException("only a GET is read without the log, got " + get.op());
        }
        return valueReply(get.requestNumber(), get.key());
    }

    private KvReply valueReply(long number, String key) {
        String value = data.get(key);
        return value == null ? KvReply.notFound(number) : KvReply.value(number, value);
    }

    /**
     * A copy that shares nothing this state machine changes (keys, values and recorded replies are
     * immutable and shared; the map's segments and the sessions are shared too, and copied by
     * whichever side changes them next: {@link SegmentedMap}, {@link #writable}), so that it can be
     * encoded on another thread while this one goes on applying commands. Costs a pass over the
     * map's segments and the session table (one reference per session), not the keys.
     */
    public KvStateMachine copy() {
        generation++;
        KvStateMachine copy = new KvStateMachine(data.copy());
        copy.generation = generation;
        copy.sessions.putAll(sessions); // in access order; shared: both sides clone a session before changing it
        copy.appliedCount = appliedCount;
        copy.duplicateCount = duplicateCount;
        copy.recordedReplies = recordedReplies;
        return copy;
    }

    /**
     * The whole state in binary form (sessions in least-recently-used order, so eviction stays the
     * same after a decode), for snapshots; see {@link KvStateCodec}.
     */
    public byte[] encode() {
        return KvStateCodec.encode(this);
    }

    /**
     * The state machine encoded by {@link #encode()}.
     *
     * @throws io.omnipaxos.codec.DecodeException if the bytes are not a valid state
     */
    public static KvStateMachine decode(byte[] bytes) {
        return KvStateCodec.decode(bytes);
    }

    /** The value of {@code key}, or null; for tests and diagnostics (clients read through {@link #read}). */
    public String valueOf(String key) {
        return data.get(key);
    }

    /** Number of keys stored. */
    public int size() {
        return data.size();
    }

    /** Commands applied (duplicates not counted). */
    public long appliedCount() {
        return appliedCount;
    }

    /** Commands recognised as duplicates and not applied again. */
    public long duplicateCount() {
        return duplicateCount;
    }

    /** Replies kept for {@code clientId}'s unacknowledged requests (0 for an unknown client). */
    public int unacknowledgedReplies(long clientId) {
        Session session = sessions.get(clientId);
        return session == null ? 0 : session.replies.size();
    }

    /** {@code session} of {@code clientId}, cloned first if it is shared with a copy. */
    private Session writable(long clientId, Session session) {
        if (session.generation == generation) {
            return session;
        }
        Session own = new Session();
        own.ackedUpTo = session.ackedUpTo;
        own.replies = session.replies.copy();
        own.generation = generation;
        sessions.put(clientId, own);
        return own;
    }

    /** A new session whose client has the replies of everything up to {@code ackedUpTo}. */
    private Session newSession(long clientId, long ackedUpTo) {
        Session session = new Session();
        session.ackedUpTo = ackedUpTo;
        session.generation = generation;
        sessions.put(clientId, session);
        evictWhileOver(clientId);
        return session;
    }

    private void acknowledge(Session session, long ackedUpTo) {
        if (ackedUpTo > session.ackedUpTo) {
            session.ackedUpTo = ackedUpTo;
            recordedReplies -= session.replies.removeUpTo(ackedUpTo);
        }
    }

    /** Replies recorded in all sessions together (at most {@link #MAX_RECORDED_REPLIES}). */
    public long recordedReplies() {
        return recordedReplies;
    }

    private KvReply execute(KvCommand command) {
        long number = command.requestNumber();
        String key = command.key();
        switch (command.op()) {
            case GET:
                return valueReply(number, key);
            case PUT:
                data.put(key, command.value());
                return KvReply.ok(number);
            case APPEND:
                return append(command);
            case DELETE:
                return data.remove(key) == null ? KvReply.notFound(number) : KvReply.ok(number);
            case REGISTER: // the session exists now
                return KvReply.ok(number);
            default: // administrative operations never reach the log; refuse one that did, on every node alike
                return KvReply.error(number, command.op() + " is not an operation of the log");
        }
    }

    private KvReply append(KvCommand command) {
        String current = data.get(command.key());
        String old = current == null ? "" : current;
        String appended = old + command.value();
        // Cheap check first: chars are at most 3 UTF-8 bytes each.
        if ((long) appended.length() * 3 > MAX_STORED_VALUE_BYTES
                && appended.getBytes(StandardCharsets.UTF_8).length > MAX_STORED_VALUE_BYTES) {
            return KvReply.error(command.requestNumber(), "APPEND would make the value of key '" + command.key()
                    + "' longer than " + MAX_STORED_VALUE_BYTES + " bytes");
        }
        data.put(command.key(), appended);
        return KvReply.ok(command.requestNumber());
    }
}
