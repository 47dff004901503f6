package io.omnipaxos;

import io.omnipaxos.messages.AcceptSync;
import io.omnipaxos.messages.Promise;
import io.omnipaxos.messages.SequenceNumber;
import io.omnipaxos.messages.SnapshotPart;
import io.omnipaxos.messages.SnapshotPartAck;
import io.omnipaxos.messages.SyncChunk;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The leader's synchronisation of a promised follower, for {@link LeaderRole}: the AcceptSync that
 * overwrites the follower's log from where it may differ and opens its accept session, with what
 * goes ahead of it when one message cannot carry it all: the adopted log in {@link SyncChunk}s to a
 * follower whose log is a prefix of it, and a large snapshot in {@link SnapshotPart}s to one that
 * lacks entries we compacted. It changes follower progress and sends; deciding stays the role's.
 */
final class FollowerSync<T> {

    private final ProtocolState<T> state;
    /** The round being led, and its followers (the array {@link LeaderRole} iterates). */
    private Ballot ballot = Ballot.NONE;
    private FollowerProgress<T>[] all;
    private long nextSession;
    /** The accepted round of the log adopted at the end of the prepare phase. */
    private Ballot adoptedRound = Ballot.NONE;
    /** The length of the log adopted at the end of the prepare phase: every AcceptSync covers it. */
    private long adoptedIdx;

    FollowerSync(ProtocolState<T> state) {
        this.state = state;
    }

    /** A new round begins with these followers. */
    void startRound(Ballot ballot, FollowerProgress<T>[] followers) {
        this.ballot = ballot;
        this.all = followers;
        this.adoptedRound = Ballot.NONE;
        this.adoptedIdx = 0;
    }

    /** Learners joined or left the round: these are its followers now. */
    void followersChanged(FollowerProgress<T>[] followers) {
        this.all = followers;
    }

    /** The prepare phase ended with this log adopted. */
    void adopted(Ballot round, long length) {
        this.adoptedRound = round;
        this.adoptedIdx = length;
    }

    /**
     * Brings a promised follower into the accept phase: its log is overwritten from the first index
     * where it may differ from ours. The message covers at least the adopted log (required for
     * safety: every log of this round must contain what was chosen before it); entries appended in
     * this round beyond that may follow in later catch-up messages.
     */
    void sendAcceptSync(FollowerProgress<T> follower) {
        follower.snapshotInParts = null;
        Promise<T> p = follower.promise;
        long syncIdx = syncIndexFor(p);
        if (syncIdx > state.log.logLength()) {
            // No honest follower has more of this round's log, or more decided, than its leader.
            state.logger.warn("server {}: ignored server {}'s promise: it claims a log of this round or a decided"
                    + " index up to {}, beyond our log length {}", state.pid, follower.pid, syncIdx, state.log.logLength());
            follower.resetPromise();
            return;
        }
        long compactedIdx = state.log.compactedIdx();
        T snapshot = null;
        if (syncIdx < compactedIdx) {
            byte[] storedBytes = state.budget.storedSnapshotBytes(state.log);
            if (storedBytes != null && state.budget.sendsInParts(storedBytes.length)) {
                // The follower lacks entries we compacted: our snapshot goes as the storage keeps it.
                sendSnapshotInParts(follower, compactedIdx, () -> storedBytes);
                return;
            }
            Optional<T> stored = state.log.snapshot();
            if (stored.isPresent()) {
                // The follower lacks entries we compacted: it gets our snapshot instead of them.
                snapshot = stored.get();
            } else if (p.acceptedIdx() < compactedIdx) {
                // Either a delayed promise from before the follower accepted the trimmed entries (a
                // fresh promise will follow), or its storage was lost: only a snapshot could help then.
                state.logger.warn("server {}: cannot synchronise server {} from its promise: the promised log"
                        + " ({} entries) ends below the compacted index {}", state.pid, follower.pid,
                        p.acceptedIdx(), compactedIdx);
                follower.resetPromise();
                return;
            }
            // Below the compacted index every server holds the same decided entries.
            syncIdx = compactedIdx;
            if (snapshot != null && state.budget.sendsInParts(snapshot)) {
                T encoding = snapshot;
                sendSnapshotInParts(follower, compactedIdx, () -> state.budget.encode(encoding));
                return;
            }
        }
        syncFrom(follower, syncIdx, snapshot, 0, snapshot == null && syncIdx == p.acceptedIdx());
    }

    /**
     * Starts sending a snapshot too large for the AcceptSync in {@link SnapshotPart}s, one at a time;
     * the AcceptSync follows the last acknowledgement (see {@link #onSnapshotPartAck}). {@code
     * encoded} gives its bytes unless another follower is being sent the same snapshot.
     */
    private void sendSnapshotInParts(FollowerProgress<T> follower, long snapshotIdx, Supplier<byte[]> encoded) {
        OutgoingSnapshot out = null;
        for (FollowerProgress<T> other : all) { // followers that need the same snapshot share its bytes
            if (other.snapshotInParts != null && other.snapshotInParts.snapshotIdx == snapshotIdx) {
                out = other.snapshotInParts.restart();
            }
        }
        if (out == null) {
            out = new OutgoingSnapshot(snapshotIdx, encoded.get(), state.budget.maxBytes());
        }
        state.logger.info("server {}: sending server {} our snapshot for index {} ({} bytes) in {} parts", state.pid,
                follower.pid, snapshotIdx, out.size(), out.partCount());
        follower.accepting = false;
        follower.syncing = false;
        follower.snapshotInParts = out;
        sendSnapshotPart(follower, out, 0);
    }

    private void sendSnapshotPart(FollowerProgress<T> follower, OutgoingSnapshot out, int partNo) {
        out.sentPart = partNo;
        state.outbox.add(new SnapshotPart<>(state.pid, follower.pid, state.configurationId, ballot, out.snapshotIdx,
                partNo, out.part(partNo)));
    }

    /**
     * A follower holds the snapshot's parts up to the acknowledged one: the next part follows, or
     * after the last the AcceptSync that installs them. If we compacted further meanwhile, the
     * entries after the snapshot are gone here: the follower gets the newer snapshot instead.
     */
    void onSnapshotPartAck(FollowerProgress<T> follower, SnapshotPartAck<T> ack) {
        OutgoingSnapshot out = follower.snapshotInParts;
        if (out == null || ack.snapshotIdx() != out.snapshotIdx || ack.partNo() != out.sentPart) {
            return;
        }
        out.ackedPart = ack.partNo();
        if (!out.complete()) {
            sendSnapshotPart(follower, out, out.sentPart + 1);
        } else if (out.snapshotIdx < state.log.compactedIdx()) {
            sendAcceptSync(follower);
        } else {
            follower.snapshotInParts = null;
            syncFrom(follower, out.snapshotIdx, null, out.partCount(), false);
        }
    }

    /** A follower acknowledged a SyncChunk: the next part of the adopted log, or the AcceptSync. */
    void continueSync(FollowerProgress<T> follower) {
        syncFrom(follower, follower.sentIdx, null, 0, true);
    }

    /**
     * Sends the adopted log from {@code syncIdx} on. If the follower's log ends exactly there
     * ({@code extendsPrefix}: it is a prefix of ours) and more of the adopted log remains than one
     * message carries, a {@link SyncChunk} goes first and the next one follows its acknowledgement;
     * otherwise, or at the last part, the AcceptSync, which always carries the rest of the adopted
     * log (safety: the follower takes our round only with all of it).
     */
    private void syncFrom(FollowerProgress<T> follower, long syncIdx, T snapshot, int snapshotParts,
            boolean extendsPrefix) {
        long logLength = state.log.logLength();
        Invariants.atMost("sync index", syncIdx, "log length", logLength, follower.pid);
        long limit = Math.min(logLength, Math.max(adoptedIdx, syncIdx + state.bufferSize));
        long logEntriesEnd = state.log.entriesEnd();
        long entriesLimit = Math.min(limit, logEntriesEnd);
        long adoptedEntriesEnd = Math.min(adoptedIdx, entriesLimit);
        // The adopted log goes whole (safety) unless the follower's log is a prefix of it; entries of
        // this round beyond it only as far as one message's bytes allow: the rest follows as the
        // follower acknowledges.
        List<T> suffix = state.budget.read(state.log, syncIdx, extendsPrefix ? syncIdx : adoptedEntriesEnd,
                entriesLimit, snapshot == null ? 0 : state.budget.sizeOf(snapshot));
        long entriesEnd = syncIdx + suffix.size();
        if (entriesEnd < adoptedEntriesEnd) {
            sendSyncChunk(follower, syncIdx, suffix);
            return;
        }
        follower.syncing = false;
        Promise<T> p = follower.promise;
        boolean withStopSign = limit > logEntriesEnd && syncIdx <= logEntriesEnd && entriesEnd == logEntriesEnd;
        long end = withStopSign ? entriesEnd + 1 : Math.max(syncIdx, entriesEnd);
        follower.lastSequenceNumber = new SequenceNumber(++nextSession, 1);
        follower.accepting = true;
        follower.sentIdx = end;
        follower.acceptedIdx = p.acceptedRound().equals(ballot) ? p.acceptedIdx() : 0;
        follower.acceptedIdxAtLastTimeout = -1;
        state.outbox.add(new AcceptSync<>(state.pid, follower.pid, state.configurationId, ballot,
                follower.lastSequenceNumber, syncIdx, suffix, state.log.decidedIdx(), snapshot, snapshotParts,
                withStopSign ? state.log.stopSign() : null));
    }

    /** Sends a part of the adopted log ahead of the AcceptSync; the follower's Accepted asks for the next. */
    private void sendSyncChunk(FollowerProgress<T> follower, long fromIdx, List<T> chunk) {
        if (!follower.syncing) {
            follower.acceptedIdxAtLastTimeout = -1;
        }
        follower.syncing = true;
        follower.accepting = false;
        follower.sentIdx = fromIdx + chunk.size();
        follower.acceptedIdx = fromIdx;
        state.outbox.add(new SyncChunk<>(state.pid, follower.pid, state.configurationId, ballot, fromIdx,
                state.log.decidedIdx(), chunk));
    }

    /** Where a follower's log stops being a prefix of ours, judged from its promise. */
    private long syncIndexFor(Promise<T> p) {
        boolean prefixOfThisRound = p.acceptedRound().equals(ballot);
        boolean prefixOfAdoptedLog = p.acceptedRound().equals(adoptedRound) && p.acceptedIdx() <= adoptedIdx;
        return prefixOfThisRound || prefixOfAdoptedLog ? p.acceptedIdx() : p.decidedIdx();
    }
}
