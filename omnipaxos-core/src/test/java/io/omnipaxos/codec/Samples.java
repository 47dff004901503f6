package io.omnipaxos.codec;

import io.omnipaxos.Ballot;
import io.omnipaxos.ClusterConfig;
import io.omnipaxos.FlexibleQuorum;
import io.omnipaxos.StopSign;
import io.omnipaxos.messages.AcceptDecide;
import io.omnipaxos.messages.AcceptStopSign;
import io.omnipaxos.messages.AcceptSync;
import io.omnipaxos.messages.Accepted;
import io.omnipaxos.messages.Decide;
import io.omnipaxos.messages.HeartbeatReply;
import io.omnipaxos.messages.HeartbeatRequest;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.NotAccepted;
import io.omnipaxos.messages.Prepare;
import io.omnipaxos.messages.PrepareReq;
import io.omnipaxos.messages.Promise;
import io.omnipaxos.messages.ProposalAck;
import io.omnipaxos.messages.ProposalForward;
import io.omnipaxos.messages.SequenceNumber;
import io.omnipaxos.messages.ReadIndexAck;
import io.omnipaxos.messages.ReadIndexCheck;
import io.omnipaxos.messages.ReadIndexReply;
import io.omnipaxos.messages.ReadIndexRequest;
import io.omnipaxos.messages.SnapshotPart;
import io.omnipaxos.messages.SnapshotPartAck;
import io.omnipaxos.messages.StopSignForward;
import io.omnipaxos.messages.SyncChunk;
import io.omnipaxos.messages.TakeSnapshot;
import io.omnipaxos.messages.Trim;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/** Valid messages for the codec tests: fixed edge cases and seeded random ones. */
final class Samples {

    static final long MAX = Long.MAX_VALUE;
    /** The largest value of each bounded field: indices, ballot rounds, sequence number parts. */
    static final long MAX_INDEX = Message.MAX_INDEX;

    private Samples() {}

    /** Every message type, with {@code entries} in each entry list, at the given extremes of the fields. */
    static <T> List<Message<T>> everyType(List<T> entries, boolean maxValues) {
        long pid = maxValues ? MAX : 1;
        int cfg = maxValues ? Integer.MAX_VALUE : 1;
        long idx = maxValues ? MAX_INDEX : 0;
        Ballot ballot = maxValues ? new Ballot(Ballot.MAX_N, Integer.MAX_VALUE, MAX) : Ballot.NONE;
        SequenceNumber seq = maxValues ? new SequenceNumber(SequenceNumber.MAX_PART, SequenceNumber.MAX_PART)
                : new SequenceNumber(1, 1);
        List<Message<T>> all = new ArrayList<>();
        all.add(new PrepareReq<>(pid, pid, cfg));
        all.add(new Prepare<>(pid, 1, cfg, ballot, idx, Ballot.NONE, idx));
        all.add(new Promise<>(1, pid, cfg, ballot, ballot, idx, idx, idx, entries));
        all.add(new AcceptSync<>(pid, 2, cfg, ballot, seq, idx, entries, idx));
        all.add(new AcceptDecide<>(3, pid, cfg, ballot, seq, idx, entries));
        all.add(new Accepted<>(pid, pid, cfg, ballot, idx));
        all.add(new Decide<>(pid, pid, cfg, ballot, seq, idx));
        all.add(new NotAccepted<>(pid, pid, cfg, ballot));
        all.add(new ProposalForward<>(pid, pid, cfg, ballot, idx, idx, entries));
        all.add(new ProposalAck<>(pid, pid, cfg, ballot, idx, idx, List.of(idx, 0L, idx)));
        all.add(new Trim<>(pid, pid, cfg, ballot, idx));
        T snapshot = entries.isEmpty() ? null : entries.get(0);
        StopSign stopSign = stopSign(maxValues);
        all.add(new Promise<>(1, pid, cfg, ballot, ballot, idx, idx, idx, entries, snapshot, stopSign));
        all.add(new AcceptSync<>(pid, 2, cfg, ballot, seq, idx, entries, idx, snapshot, 0, stopSign));
        all.add(new AcceptSync<>(pid, 2, cfg, ballot, seq, idx, entries, idx, snapshot, 0, null));
        all.add(new AcceptSync<>(pid, 2, cfg, ballot, seq, idx, entries, idx, null, maxValues ? Integer.MAX_VALUE : 1,
                stopSign));
        all.add(new SnapshotPart<>(pid, 3, cfg, ballot, idx, maxValues ? Integer.MAX_VALUE : 0,
                maxValues ? new byte[] {0, 1, (byte) 0xFF} : new byte[0]));
        all.add(new SnapshotPartAck<>(pid, 3, cfg, ballot, idx, maxValues ? Integer.MAX_VALUE : 0));
        all.add(new ReadIndexCheck<>(pid, 3, cfg, ballot, idx));
        all.add(new ReadIndexAck<>(3, pid, cfg, ballot, idx));
        all.add(new ReadIndexRequest<>(3, pid, cfg, ballot, maxValues ? idx : 1, maxValues ? 1 << 20 : 1));
        all.add(new ReadIndexReply<>(pid, 3, cfg, ballot, maxValues ? idx : 1, maxValues ? 1 << 20 : 1, idx));
        all.add(new TakeSnapshot<>(pid, pid, cfg, ballot, idx));
        all.add(new AcceptStopSign<>(pid, 3, cfg, ballot, seq, idx, stopSign));
        all.add(new StopSignForward<>(pid, 3, cfg, stopSign));
        all.add(new SyncChunk<>(pid, 3, cfg, ballot, idx, idx, entries));
        all.add(new HeartbeatRequest<>(pid, pid, cfg, idx));
        all.add(new HeartbeatReply<>(pid, pid, cfg, idx, ballot, maxValues));
        return all;
    }

    /** A stop-sign with a small or a large next configuration. */
    static StopSign stopSign(boolean large) {
        if (!large) {
            return new StopSign(new ClusterConfig(2, List.of(1L, 2L, 4L)));
        }
        return new StopSign(new ClusterConfig(Integer.MAX_VALUE, List.of(1L, MAX, 3L, 4L, 5L),
                Optional.of(new FlexibleQuorum(4, 2))), new byte[] {0, 1, (byte) 0xFF});
    }

    /** The concrete message records: the leaves of the sealed {@link Message} hierarchy. */
    static Set<Class<?>> messageRecordTypes() {
        Set<Class<?>> leaves = new HashSet<>();
        collectLeaves(Message.class, leaves);
        return leaves;
    }

    private static void collectLeaves(Class<?> type, Set<Class<?>> leaves) {
        Class<?>[] permitted = type.getPermittedSubclasses();
        if (permitted == null) {
            leaves.add(type);
            return;
        }
        for (Class<?> sub : permitted) {
            collectLeaves(sub, leaves);
        }
    }

    /** A random valid message of a random type; fields favour edge values. */
    static <T> Message<T> random(Random rnd, Function<Random, List<T>> entries) {
        long from = pid(rnd);
        long to = pid(rnd);
        int cfg = rnd.nextInt(4) == 0 ? Integer.MAX_VALUE : 1 + rnd.nextInt(1000);
        switch (rnd.nextInt(18)) {
            case 0: return new PrepareReq<>(from, to, cfg);
            case 1: return new Prepare<>(from, to, cfg, ballot(rnd), index(rnd), ballot(rnd), index(rnd));
            case 2: return new Promise<>(from, to, cfg, ballot(rnd), ballot(rnd), index(rnd), index(rnd),
                    index(rnd), entries.apply(rnd), snapshotOrNull(rnd, entries), stopSignOrNull(rnd));
            case 3: return acceptSync(rnd, from, to, cfg, entries);
            case 4: return new AcceptDecide<>(from, to, cfg, ballot(rnd), seq(rnd), index(rnd), entries.apply(rnd));
            case 5: return new Accepted<>(from, to, cfg, ballot(rnd), index(rnd));
            case 6: return new Decide<>(from, to, cfg, ballot(rnd), seq(rnd), index(rnd));
            case 7: return new NotAccepted<>(from, to, cfg, ballot(rnd));
            case 8: return new ProposalForward<>(from, to, cfg, ballot(rnd), index(rnd), index(rnd), entries.apply(rnd));
            case 9: return new HeartbeatRequest<>(from, to, cfg, index(rnd));
            case 10: return rnd.nextBoolean() ? new Trim<>(from, to, cfg, ballot(rnd), index(rnd))
                    : new TakeSnapshot<>(from, to, cfg, ballot(rnd), index(rnd));
            case 12: return new AcceptStopSign<>(from, to, cfg, ballot(rnd), seq(rnd), index(rnd), stopSign(rnd.nextBoolean()));
            case 13: return new StopSignForward<>(from, to, cfg, stopSign(rnd.nextBoolean()));
            case 15: return new ProposalAck<>(from, to, cfg, ballot(rnd), index(rnd), index(rnd),
                    List.of(index(rnd), index(rnd)));
            case 11: return new SyncChunk<>(from, to, cfg, ballot(rnd), index(rnd), index(rnd), entries.apply(rnd));
            case 16: return readIndexMessage(rnd, from, to, cfg);
            case 14: return rnd.nextBoolean()
                    ? new SnapshotPart<>(from, to, cfg, ballot(rnd), index(rnd), rnd.nextInt(3), bytes(rnd))
                    : new SnapshotPartAck<>(from, to, cfg, ballot(rnd), index(rnd), rnd.nextInt(Integer.MAX_VALUE));
            default: return new HeartbeatReply<>(from, to, cfg, index(rnd), ballot(rnd), rnd.nextBoolean());
        }
    }

    private static <T> Message<T> acceptSync(Random rnd, long from, long to, int cfg,
            Function<Random, List<T>> entries) {
        T snapshot = snapshotOrNull(rnd, entries);
        int parts = snapshot == null && rnd.nextBoolean() ? 1 + rnd.nextInt(5) : 0;
        return new AcceptSync<>(from, to, cfg, ballot(rnd), seq(rnd), index(rnd), entries.apply(rnd), index(rnd),
                snapshot, parts, stopSignOrNull(rnd));
    }

    private static <T> Message<T> readIndexMessage(Random rnd, long from, long to, int cfg) {
        return switch (rnd.nextInt(4)) {
            case 0 -> new ReadIndexCheck<>(from, to, cfg, ballot(rnd), index(rnd));
            case 1 -> new ReadIndexAck<>(from, to, cfg, ballot(rnd), index(rnd));
            case 2 -> new ReadIndexRequest<>(from, to, cfg, ballot(rnd), index(rnd), 1 + rnd.nextInt(1000));
            default -> new ReadIndexReply<>(from, to, cfg, ballot(rnd), index(rnd), 1 + rnd.nextInt(1000), index(rnd));
        };
    }

    private static byte[] bytes(Random rnd) {
        byte[] bytes = new byte[rnd.nextInt(40)];
        rnd.nextBytes(bytes);
        return bytes;
    }

    private static <T> T snapshotOrNull(Random rnd, Function<Random, List<T>> entries) {
        List<T> some = entries.apply(rnd);
        return some.isEmpty() || rnd.nextBoolean() ? null : some.get(0);
    }

    private static StopSign stopSignOrNull(Random rnd) {
        return rnd.nextBoolean() ? null : stopSign(rnd.nextBoolean());
    }

    static long pid(Random rnd) {
        return rnd.nextInt(5) == 0 ? MAX : 1 + rnd.nextInt(7);
    }

    static long index(Random rnd) {
        switch (rnd.nextInt(4)) {
            case 0: return 0;
            case 1: return MAX_INDEX;
            default: return rnd.nextLong() & (MAX_INDEX - 1);
        }
    }

    static Ballot ballot(Random rnd) {
        if (rnd.nextInt(4) == 0) {
            return Ballot.NONE;
        }
        int priority = rnd.nextInt(3) == 0 ? Integer.MAX_VALUE : rnd.nextInt(10);
        return new Ballot(Math.min(index(rnd), Ballot.MAX_N), priority, rnd.nextInt(3) == 0 ? MAX : rnd.nextInt(8));
    }

    static SequenceNumber seq(Random rnd) {
        long max = SequenceNumber.MAX_PART;
        return new SequenceNumber(1 + (rnd.nextLong() & (max - 1)), rnd.nextBoolean() ? max : 1 + rnd.nextInt(100));
    }

    /** 0..maxCount random strings mixing ASCII, 2-, 3- and 4-byte UTF-8. */
    static List<String> randomStrings(Random rnd, int maxCount) {
        int count = rnd.nextInt(maxCount + 1);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(randomString(rnd, rnd.nextInt(12)));
        }
        return out;
    }

    static String randomString(Random rnd, int codePoints) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            switch (rnd.nextInt(5)) {
                case 0: sb.appendCodePoint(0x80 + rnd.nextInt(0x800 - 0x80)); break;
                case 1: sb.appendCodePoint(0xE000 + rnd.nextInt(0x10000 - 0xE000)); break;
                case 2: sb.appendCodePoint(0x10000 + rnd.nextInt(0x110000 - 0x10000)); break;
                default: sb.append((char) rnd.nextInt(0x80));
            }
        }
        return sb.toString();
    }

    /** 0..maxCount random longs, favouring extremes. */
    static List<Long> randomLongs(Random rnd, int maxCount) {
        int count = rnd.nextInt(maxCount + 1);
        List<Long> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int pick = rnd.nextInt(4);
            out.add(pick == 0 ? Long.MIN_VALUE : pick == 1 ? Long.MAX_VALUE : rnd.nextLong());
        }
        return out;
    }
}
