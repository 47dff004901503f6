package io.omnipaxos.codec;

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
import io.omnipaxos.messages.SnapshotPart;
import io.omnipaxos.messages.SnapshotPartAck;
import io.omnipaxos.messages.StopSignForward;
import io.omnipaxos.messages.SyncChunk;
import io.omnipaxos.messages.TakeSnapshot;
import io.omnipaxos.messages.Trim;

/**
 * The wire tag of each message type, and the size of its fixed-size fields.
 *
 * <p>Tags are part of the wire format: a tag, once released, is never renumbered or reused. Ranges
 * keep the protocol families apart so that new messages slot in without touching existing ones:
 *
 * <ul>
 *   <li>{@code 0x01..0x3F} Sequence Paxos (the next one takes {@code 0x16});
 *   <li>{@code 0x40..0x7F} Ballot Leader Election;
 *   <li>{@code 0x80..0xFF} reserved (e.g. for a future extended-tag escape);
 *   <li>{@code 0x00} never used, so that a zeroed buffer is rejected.
 * </ul>
 */
enum MessageTag {
    PREPARE_REQ(0x01, "PrepareReq", 0, false),
    PREPARE(0x02, "Prepare", WireFormat.BALLOT_BYTES + 8 + WireFormat.BALLOT_BYTES + 8, false),
    PROMISE(0x03, "Promise", 2 * WireFormat.BALLOT_BYTES + 3 * 8, true),
    ACCEPT_SYNC(0x04, "AcceptSync", WireFormat.BALLOT_BYTES + WireFormat.SEQUENCE_NUMBER_BYTES + 2 * 8 + 4, true),
    ACCEPT_DECIDE(0x05, "AcceptDecide", WireFormat.BALLOT_BYTES + WireFormat.SEQUENCE_NUMBER_BYTES + 8, true),
    ACCEPTED(0x06, "Accepted", WireFormat.BALLOT_BYTES + 8, false),
    DECIDE(0x07, "Decide", WireFormat.BALLOT_BYTES + WireFormat.SEQUENCE_NUMBER_BYTES + 8 + 1, false),
    NOT_ACCEPTED(0x08, "NotAccepted", WireFormat.BALLOT_BYTES, false),
    PROPOSAL_FORWARD(0x09, "ProposalForward", WireFormat.BALLOT_BYTES + 2 * 8, true),
    TRIM(0x0A, "Trim", WireFormat.BALLOT_BYTES + 8, false),
    ACCEPT_STOP_SIGN(0x0B, "AcceptStopSign", WireFormat.BALLOT_BYTES + WireFormat.SEQUENCE_NUMBER_BYTES + 8, false),
    STOP_SIGN_FORWARD(0x0C, "StopSignForward", 0, false),
    SYNC_CHUNK(0x0D, "SyncChunk", WireFormat.BALLOT_BYTES + 2 * 8, true),
    TAKE_SNAPSHOT(0x0E, "TakeSnapshot", WireFormat.BALLOT_BYTES + 8, false),
    PROPOSAL_ACK(0x0F, "ProposalAck", WireFormat.BALLOT_BYTES + 2 * 8, false),
    SNAPSHOT_PART(0x10, "SnapshotPart", WireFormat.BALLOT_BYTES + 8 + 4, false),
    SNAPSHOT_PART_ACK(0x11, "SnapshotPartAck", WireFormat.BALLOT_BYTES + 8 + 4, false),
    READ_INDEX_CHECK(0x12, "ReadIndexCheck", WireFormat.BALLOT_BYTES + 8, false),
    READ_INDEX_ACK(0x13, "ReadIndexAck", WireFormat.BALLOT_BYTES + 8, false),
    READ_INDEX_REQUEST(0x14, "ReadIndexRequest", WireFormat.BALLOT_BYTES + 8 + 4, false),
    READ_INDEX_REPLY(0x15, "ReadIndexReply", WireFormat.BALLOT_BYTES + 8 + 4 + 8, false),
    HEARTBEAT_REQUEST(0x41, "HeartbeatRequest", 8, false),
    HEARTBEAT_REPLY(0x42, "HeartbeatReply", 8 + WireFormat.BALLOT_BYTES + 1, false);

    /** Tag byte (as an unsigned int) to tag; null where no message type has that byte. */
    private static final MessageTag[] BY_CODE = new MessageTag[256];

    static {
        for (MessageTag tag : values()) {
            if (BY_CODE[tag.code] != null) {
                throw new ExceptionInInitializerError("duplicate message tag " + tag.code);
            }
            BY_CODE[tag.code] = tag;
        }
    }

    /** The tag byte, as an unsigned value 0..255. */
    final int code;

    /** The message type's simple name, for error messages. */
    final String typeName;

    /** Bytes of the fields after the common header and before the entry list (if any). */
    final int fixedBodyBytes;

    /** Whether the body ends with an entry list. */
    final boolean hasEntries;

    MessageTag(int code, String typeName, int fixedBodyBytes, boolean hasEntries) {
        this.code = code;
        this.typeName = typeName;
        this.fixedBodyBytes = fixedBodyBytes;
        this.hasEntries = hasEntries;
    }

    /** The tag with the given unsigned tag byte, or null if none has it. */
    static MessageTag ofCode(int unsignedByte) {
        return BY_CODE[unsignedByte & 0xFF];
    }

    /** The tag of a message; hot types first because this runs for every encoded message. */
    static MessageTag of(Message<?> m) {
        if (m instanceof AcceptDecide) {
            return ACCEPT_DECIDE;
        } else if (m instanceof Accepted) {
            return ACCEPTED;
        } else if (m instanceof Decide) {
            return DECIDE;
        } else if (m instanceof HeartbeatRequest) {
            return HEARTBEAT_REQUEST;
        } else if (m instanceof HeartbeatReply) {
            return HEARTBEAT_REPLY;
        } else if (m instanceof AcceptSync) {
            return ACCEPT_SYNC;
        } else if (m instanceof Prepare) {
            return PREPARE;
        } else if (m instanceof Promise) {
            return PROMISE;
        } else if (m instanceof PrepareReq) {
            return PREPARE_REQ;
        } else if (m instanceof NotAccepted) {
            return NOT_ACCEPTED;
        } else if (m instanceof Trim) {
            return TRIM;
        } else if (m instanceof ProposalForward) {
            return PROPOSAL_FORWARD;
        } else if (m instanceof AcceptStopSign) {
            return ACCEPT_STOP_SIGN;
        } else if (m instanceof StopSignForward) {
            return STOP_SIGN_FORWARD;
        } else if (m instanceof SyncChunk) {
            return SYNC_CHUNK;
        } else if (m instanceof TakeSnapshot) {
            return TAKE_SNAPSHOT;
        } else if (m instanceof ProposalAck) {
            return PROPOSAL_ACK;
        } else if (m instanceof SnapshotPart) {
            return SNAPSHOT_PART;
        } else if (m instanceof SnapshotPartAck) {
            return SNAPSHOT_PART_ACK;
        } else if (m instanceof ReadIndexCheck) {
            return READ_INDEX_CHECK;
        } else if (m instanceof ReadIndexAck) {
            return READ_INDEX_ACK;
        } else if (m instanceof ReadIndexRequest) {
            return READ_INDEX_REQUEST;
        } else if (m instanceof ReadIndexReply) {
            return READ_INDEX_REPLY;
        }
        // Reached only when a message type was added to the sealed hierarchy but not to the codec.
        throw new IllegalArgumentException("no wire tag for message type " + m.getClass().getName());
    }
}
