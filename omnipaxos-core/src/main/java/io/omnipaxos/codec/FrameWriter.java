package io.omnipaxos.codec;

import io.omnipaxos.Ballot;
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
import io.omnipaxos.messages.ReadIndexAck;
import io.omnipaxos.messages.ReadIndexCheck;
import io.omnipaxos.messages.ReadIndexReply;
import io.omnipaxos.messages.ReadIndexRequest;
import io.omnipaxos.messages.SequenceNumber;
import io.omnipaxos.messages.SnapshotPart;
import io.omnipaxos.messages.SnapshotPartAck;
import io.omnipaxos.messages.StopSignForward;
import io.omnipaxos.messages.SyncChunk;
import io.omnipaxos.messages.TakeSnapshot;
import io.omnipaxos.messages.Trim;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Writes the fields of one frame in the layout {@link MessageCodec}'s Javadoc gives, and computes a
 * frame's size beforehand, checking the entry count, every entry's size and the frame's against
 * the {@link Limits}. The counterpart of {@link FrameReader}.
 */
final class FrameWriter<T> {

    private final EntryCodec<T> entryCodec;
    private final Limits limits;

    FrameWriter(EntryCodec<T> entryCodec, Limits limits) {
        this.entryCodec = entryCodec;
        this.limits = limits;
    }

    /**
     * The exact size of {@code m}'s frame; calls {@link EntryCodec#encodedSize} once per entry.
     *
     * @throws IllegalArgumentException if the message exceeds a limit
     */
    int frameSize(MessageTag tag, Message<T> m) {
        long size = WireFormat.HEADER_BYTES + tag.fixedBodyBytes;
        if (tag.hasEntries) {
            size += entriesSize(tag, entriesOf(m));
        }
        size += variableSize(m);
        if (size > limits.maxFrameBytes()) {
            throw frameTooLarge(tag, Long.toString(size));
        }
        return (int) size;
    }

    /** Writes {@code m}'s frame at {@code w}'s position, which must be a big-endian buffer. */
    void write(MessageTag tag, Message<T> m, ByteBuffer w) {
        writeHeader(tag, m, w);
        writeBody(m, w);
    }

    private static void writeHeader(MessageTag tag, Message<?> m, ByteBuffer w) {
        w.put((byte) WireFormat.VERSION);
        w.put((byte) tag.code);
        w.putLong(m.from());
        w.putLong(m.to());
        w.putInt(m.configurationId());
    }

    /** Writes the type-specific fields; the order here is the wire layout in {@link MessageCodec}'s Javadoc. */
    private void writeBody(Message<T> m, ByteBuffer w) {
        if (m instanceof AcceptDecide<T> x) {
            putBallot(w, x.ballot());
            putSequenceNumber(w, x.sequenceNumber());
            w.putLong(x.decidedIdx());
            writeEntries(MessageTag.ACCEPT_DECIDE, x.entries(), w);
        } else if (m instanceof Accepted<T> x) {
            putBallot(w, x.ballot());
            w.putLong(x.acceptedIdx());
        } else if (m instanceof Decide<T> x) {
            putBallot(w, x.ballot());
            putSequenceNumber(w, x.sequenceNumber());
            w.putLong(x.decidedIdx());
            w.put(x.established() ? (byte) 1 : (byte) 0);
        } else if (m instanceof HeartbeatRequest<T> x) {
            w.putLong(x.round());
        } else if (m instanceof HeartbeatReply<T> x) {
            w.putLong(x.round());
            putBallot(w, x.ballot());
            w.put(x.quorumConnected() ? (byte) 1 : (byte) 0);
        } else {
            writeRareBody(m, w);
        }
    }

    /** The message types that are not on the steady-state hot path. */
    private void writeRareBody(Message<T> m, ByteBuffer w) {
        if (m instanceof AcceptSync<T> x) {
            putBallot(w, x.ballot());
            putSequenceNumber(w, x.sequenceNumber());
            w.putLong(x.syncIdx());
            w.putLong(x.decidedIdx());
            w.putInt(x.snapshotParts());
            writeEntries(MessageTag.ACCEPT_SYNC, x.suffix(), w);
            writeTail(x.snapshot(), x.stopSign(), w);
        } else if (m instanceof Prepare<T> x) {
            putBallot(w, x.ballot());
            w.putLong(x.decidedIdx());
            putBallot(w, x.acceptedRound());
            w.putLong(x.acceptedIdx());
        } else if (m instanceof Promise<T> x) {
            putBallot(w, x.ballot());
            putBallot(w, x.acceptedRound());
            w.putLong(x.decidedIdx());
            w.putLong(x.acceptedIdx());
            w.putLong(x.suffixIdx());
            writeEntries(MessageTag.PROMISE, x.suffix(), w);
            writeTail(x.snapshot(), x.stopSign(), w);
        } else if (m instanceof NotAccepted<T> x) {
            putBallot(w, x.ballot());
        } else if (m instanceof ProposalForward<T> x) {
            putBallot(w, x.ballot());
            w.putLong(x.session());
            w.putLong(x.firstSeq());
            writeEntries(MessageTag.PROPOSAL_FORWARD, x.entries(), w);
        } else if (m instanceof ProposalAck<T> x) {
            putBallot(w, x.ballot());
            w.putLong(x.session());
            w.putLong(x.firstSeq());
            writeIndices(x.indices(), w);
        } else if (m instanceof Trim<T> x) {
            putBallot(w, x.ballot());
            w.putLong(x.trimIdx());
        } else if (m instanceof TakeSnapshot<T> x) {
            putBallot(w, x.ballot());
            w.putLong(x.snapshotIdx());
        } else if (m instanceof AcceptStopSign<T> x) {
            putBallot(w, x.ballot());
            putSequenceNumber(w, x.sequenceNumber());
            w.putLong(x.decidedIdx());
            StopSignCodec.encode(x.stopSign(), w);
        } else if (m instanceof StopSignForward<T> x) {
            StopSignCodec.encode(x.stopSign(), w);
        } else if (m instanceof SyncChunk<T> x) {
            putBallot(w, x.ballot());
            w.putLong(x.fromIdx());
            w.putLong(x.decidedIdx());
            writeEntries(MessageTag.SYNC_CHUNK, x.entries(), w);
        } else if (m instanceof SnapshotPart<T> x) {
            putBallot(w, x.ballot());
            w.putLong(x.snapshotIdx());
            w.putInt(x.partNo());
            w.putInt(x.bytes().length);
            w.put(x.bytes());
        } else if (m instanceof SnapshotPartAck<T> x) {
            putBallot(w, x.ballot());
            w.putLong(x.snapshotIdx());
            w.putInt(x.partNo());
        } else if (m instanceof ReadIndexCheck<T> x) {
            putBallot(w, x.ballot());
            w.putLong(x.round());
        } else if (m instanceof ReadIndexAck<T> x) {
            putBallot(w, x.ballot());
            w.putLong(x.round());
        } else if (m instanceof ReadIndexRequest<T> x) {
            putBallot(w, x.ballot());
            w.putLong(x.firstReadId());
            w.putInt(x.count());
        } else if (m instanceof ReadIndexReply<T> x) {
            putBallot(w, x.ballot());
            w.putLong(x.firstReadId());
            w.putInt(x.count());
            w.putLong(x.readIdx());
        } else if (!(m instanceof PrepareReq)) { // PrepareReq has no body
            throw new IllegalArgumentException("no wire layout for message type " + m.getClass().getName());
        }
    }

    /** Writes the optional snapshot and stop-sign that end an AcceptSync or a Promise. */
    private void writeTail(T snapshot, StopSign stopSign, ByteBuffer w) {
        w.put(snapshot == null ? (byte) 0 : (byte) 1);
        if (snapshot != null) {
            int lengthAt = w.position();
            w.putInt(0);
            entryCodec.encode(snapshot, w);
            w.putInt(lengthAt, w.position() - lengthAt - WireFormat.LENGTH_BYTES);
        }
        w.put(stopSign == null ? (byte) 0 : (byte) 1);
        if (stopSign != null) {
            StopSignCodec.encode(stopSign, w);
        }
    }

    /** The bytes of the variable-size fields other than the entry list: tails and stop-signs. */
    private long variableSize(Message<T> m) {
        if (m instanceof AcceptSync<T> x) {
            return tailSize(x.snapshot(), x.stopSign());
        } else if (m instanceof Promise<T> x) {
            return tailSize(x.snapshot(), x.stopSign());
        } else if (m instanceof AcceptStopSign<T> x) {
            return StopSignCodec.encodedSize(x.stopSign());
        } else if (m instanceof StopSignForward<T> x) {
            return StopSignCodec.encodedSize(x.stopSign());
        } else if (m instanceof ProposalAck<T> x) {
            return WireFormat.COUNT_BYTES + 8L * x.indices().size();
        } else if (m instanceof SnapshotPart<T> x) {
            return WireFormat.LENGTH_BYTES + (long) x.bytes().length;
        }
        return 0;
    }

    private long tailSize(T snapshot, StopSign stopSign) {
        long size = 2;
        if (snapshot != null) {
            size += WireFormat.LENGTH_BYTES + (long) entryCodec.encodedSize(snapshot);
        }
        if (stopSign != null) {
            size += StopSignCodec.encodedSize(stopSign);
        }
        return size;
    }

    /** A count and that many log indices (a {@link ProposalAck}'s). */
    private void writeIndices(List<Long> indices, ByteBuffer w) {
        checkEntryCount(MessageTag.PROPOSAL_ACK, indices.size());
        w.putInt(indices.size());
        for (long idx : indices) {
            w.putLong(idx);
        }
    }

    private static void putBallot(ByteBuffer w, Ballot b) {
        w.putLong(b.n());
        w.putInt(b.priority());
        w.putLong(b.pid());
    }

    private static void putSequenceNumber(ByteBuffer w, SequenceNumber s) {
        w.putLong(s.session());
        w.putLong(s.counter());
    }

    /**
     * Writes count and entries. Each length prefix is patched after the EntryCodec wrote the entry,
     * so encoding needs no {@link EntryCodec#encodedSize} call and no per-entry buffer.
     */
    private void writeEntries(MessageTag tag, List<T> entries, ByteBuffer w) {
        checkEntryCount(tag, entries.size());
        w.putInt(entries.size());
        int index = 0;
        for (T entry : entries) {
            int lengthAt = w.position();
            w.putInt(0);
            entryCodec.encode(entry, w);
            int length = w.position() - lengthAt - WireFormat.LENGTH_BYTES;
            checkEntrySize(tag, index, length);
            w.putInt(lengthAt, length);
            index++;
        }
    }

    private long entriesSize(MessageTag tag, List<T> entries) {
        checkEntryCount(tag, entries.size());
        long size = WireFormat.COUNT_BYTES + (long) WireFormat.LENGTH_BYTES * entries.size();
        int index = 0;
        for (T entry : entries) {
            int entrySize = entryCodec.encodedSize(entry);
            checkEntrySize(tag, index, entrySize);
            size += entrySize;
            index++;
        }
        return size;
    }

    private List<T> entriesOf(Message<T> m) {
        if (m instanceof AcceptDecide<T> x) {
            return x.entries();
        } else if (m instanceof AcceptSync<T> x) {
            return x.suffix();
        } else if (m instanceof Promise<T> x) {
            return x.suffix();
        } else if (m instanceof ProposalForward<T> x) {
            return x.entries();
        } else if (m instanceof SyncChunk<T> x) {
            return x.entries();
        }
        throw new IllegalArgumentException("no entry list in " + m.getClass().getName());
    }

    private void checkEntryCount(MessageTag tag, int count) {
        if (count > limits.maxEntriesPerMessage()) {
            throw new IllegalArgumentException(tag.typeName + " has " + count
                    + " entries, more than maxEntriesPerMessage " + limits.maxEntriesPerMessage());
        }
    }

    private void checkEntrySize(MessageTag tag, int index, int size) {
        if (size < 0) {
            throw new IllegalStateException("EntryCodec " + entryCodec.getClass().getName()
                    + " reported a negative size " + size + " for entry " + index + " of " + tag.typeName);
        }
        if (size > limits.maxEntryBytes()) {
            throw new IllegalArgumentException(tag.typeName + " entry " + index + " encodes to " + size
                    + " bytes, more than maxEntryBytes " + limits.maxEntryBytes());
        }
    }

    IllegalArgumentException frameTooLarge(MessageTag tag, String size) {
        return new IllegalArgumentException(tag.typeName + " message needs " + size
                + " bytes, more than maxFrameBytes " + limits.maxFrameBytes());
    }
}
