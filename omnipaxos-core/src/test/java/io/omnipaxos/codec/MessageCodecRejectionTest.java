package io.omnipaxos.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.Ballot;
import io.omnipaxos.messages.AcceptDecide;
import io.omnipaxos.messages.Accepted;
import io.omnipaxos.messages.HeartbeatReply;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.ProposalForward;
import io.omnipaxos.messages.SequenceNumber;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageCodecRejectionTest {

    private static final MessageCodec<String> STRINGS = new MessageCodec<>(StringCodec.INSTANCE);
    private static final MessageCodec<Long> LONGS = new MessageCodec<>(LongCodec.INSTANCE);
    /** Offset of the entry count in a ProposalForward frame: it directly follows the header. */
    /** A ProposalForward's entry count follows the header (22), ballot (20), session and firstSeq (16). */
    private static final int FORWARD_COUNT_AT = 22 + 20 + 16;

    private static byte[] forward(String... entries) {
        return STRINGS.encode(new ProposalForward<>(1, 2, 3, Ballot.NONE, 0, 1, List.of(entries)));
    }

    private static DecodeException rejects(MessageCodec<?> codec, byte[] frame, String... fragments) {
        DecodeException e = assertThrows(DecodeException.class, () -> codec.decode(frame));
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' lacks '" + fragment + "'");
        }
        return e;
    }

    @Test
    void unknownVersionIsRejectedNamingTheByte() {
        byte[] frame = forward("a");
        frame[0] = 0x07;
        rejects(STRINGS, frame, "version 0x07", "offset 0");
        frame[0] = (byte) 0xFF;
        rejects(STRINGS, frame, "version 0xff");
        frame[0] = 0x01; // version 1 (Trim without a ballot): refused, never misread
        rejects(STRINGS, frame, "unsupported wire version 0x01", "this codec reads version 4");
        frame[0] = 0x02; // version 2 (Trim with a snapshot flag): refused, naming an older release
        rejects(STRINGS, frame, "unsupported wire version 0x02, from an older release", "version 4 only");
        frame[0] = 0x03; // version 3 (AcceptSync without a count of snapshot parts)
        rejects(STRINGS, frame, "unsupported wire version 0x03, from an older release", "version 4 only");
    }

    @Test
    void unknownTagIsRejectedNamingTheByte() {
        byte[] frame = forward();
        for (int tag : new int[] {0x00, 0x16, 0x3F, 0x40, 0x7F, 0x80, 0xFF}) {
            frame[1] = (byte) tag;
            rejects(STRINGS, frame, String.format("tag 0x%02x", tag), "offset 1");
        }
    }

    @Test
    void emptyAndTruncatedFramesAreRejected() {
        rejects(STRINGS, new byte[0], "truncated", "version", "offset 0");
        byte[] frame = forward("abc");
        for (int length = 1; length < frame.length; length++) {
            int n = length;
            String problem = assertThrows(DecodeException.class, () -> STRINGS.decode(frame, 0, n)).getMessage();
            assertTrue(problem.contains("truncated") || problem.contains("cannot fit")
                    || problem.contains("length"), problem);
        }
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] frame = forward("a", "b");
        rejects(STRINGS, Arrays.copyOf(frame, frame.length + 1), "1 trailing byte", "offset " + frame.length);
        byte[] accepted = LONGS.encode(new Accepted<>(1, 2, 3, Ballot.NONE, 0));
        rejects(LONGS, Arrays.copyOf(accepted, accepted.length + 5), "5 trailing byte", "Accepted");
    }

    @Test
    void oversizedFrameIsRejectedBeforeDecoding() {
        CountingCodec counting = new CountingCodec();
        MessageCodec<Long> small = new MessageCodec<>(counting, new Limits(64, 100, 100));
        byte[] frame = LONGS.encode(new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, List.of(1L, 2L, 3L, 4L)));
        assertEquals(FORWARD_COUNT_AT + 4 + 4 * 12, frame.length);
        rejects(small, frame, "frame of 110 bytes exceeds maxFrameBytes 64");
        assertEquals(0, counting.decodes);
    }

    @Test
    void entryCountBeyondTheLimitIsRejectedBeforeAllocation() {
        CountingCodec counting = new CountingCodec();
        MessageCodec<Long> codec = new MessageCodec<>(counting, new Limits(1 << 20, 1000, 100));
        byte[] frame = LONGS.encode(new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, List.of(1L, 2L)));
        ByteBuffer.wrap(frame).putInt(FORWARD_COUNT_AT, 1001);
        rejects(codec, frame, "count 1001 exceeds maxEntriesPerMessage 1000", "offset " + FORWARD_COUNT_AT);
        ByteBuffer.wrap(frame).putInt(FORWARD_COUNT_AT, Integer.MAX_VALUE);
        rejects(codec, frame, "exceeds maxEntriesPerMessage");
        ByteBuffer.wrap(frame).putInt(FORWARD_COUNT_AT, -1);
        rejects(codec, frame, "count is negative: -1");
        assertEquals(0, counting.decodes);
    }

    @Test
    void entryCountBeyondTheRemainingBytesIsRejectedEvenWithoutLimits() {
        // With limits out of the way only the remaining-bytes check stands between 2^31 and an allocation.
        CountingCodec counting = new CountingCodec();
        Limits none = new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
        MessageCodec<Long> codec = new MessageCodec<>(counting, none);
        byte[] frame = LONGS.encode(new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, List.of(1L, 2L)));
        ByteBuffer.wrap(frame).putInt(FORWARD_COUNT_AT, Integer.MAX_VALUE);
        rejects(codec, frame, "count 2147483647 cannot fit in the 24 byte(s) left");
        ByteBuffer.wrap(frame).putInt(FORWARD_COUNT_AT, 7); // 7 * 4 = 28 > 24
        rejects(codec, frame, "count 7 cannot fit");
        assertEquals(0, counting.decodes);
    }

    @Test
    void badEntryLengthsAreRejected() {
        byte[] frame = forward("abc", "de");
        int firstLengthAt = FORWARD_COUNT_AT + 4;
        for (int bad : new int[] {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, (1 << 20) + 1, 100}) {
            byte[] copy = frame.clone();
            ByteBuffer.wrap(copy).putInt(firstLengthAt, bad);
            rejects(STRINGS, copy, "entries[0] (of 2) length " + bad + " is invalid", "offset " + firstLengthAt);
        }
        MessageCodec<String> tight = new MessageCodec<>(StringCodec.INSTANCE, new Limits(1000, 10, 2));
        rejects(tight, frame, "entries[0] (of 2) length 3", "maxEntryBytes 2");
    }

    @Test
    void entryCodecThatLeavesBytesUnreadIsRejected() {
        EntryCodec<Long> lazy = new EntryCodec<>() {
            @Override public void encode(Long entry, ByteBuffer out) { out.putLong(entry).putInt(0); }
            @Override public int encodedSize(Long entry) { return 12; }
            @Override public Long decode(ByteBuffer in) { return in.getLong(); }
        };
        MessageCodec<Long> codec = new MessageCodec<>(lazy);
        rejects(codec, codec.encode(new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, List.of(5L))),
                "entries[0] (of 1): EntryCodec consumed 8 of its 12 byte(s)", "offset " + (FORWARD_COUNT_AT + 8));
    }

    @Test
    void entryCodecExceptionsBecomeDecodeExceptions() {
        byte[] frame = LONGS.encode(new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, List.of(5L, 6L)));
        ByteBuffer.wrap(frame).putInt(FORWARD_COUNT_AT + 4 + 12, 7).put(frame.length - 1, (byte) 0);
        // Second entry now claims 7 bytes and one byte trails; LongCodec rejects the length first.
        rejects(LONGS, Arrays.copyOf(frame, frame.length - 1), "entries[1] (of 2)", "a Long entry is 8 bytes, got 7");
        EntryCodec<Long> throwing = new EntryCodec<>() {
            @Override public void encode(Long entry, ByteBuffer out) { out.putLong(entry); }
            @Override public int encodedSize(Long entry) { return 8; }
            @Override public Long decode(ByteBuffer in) { in.getLong(); return in.getLong(); }
        };
        rejects(new MessageCodec<>(throwing), LONGS.encode(new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, List.of(5L))),
                "EntryCodec threw java.nio.BufferUnderflowException");
    }

    @Test
    void malformedUtf8EntryIsRejectedWithOffsets() {
        byte[] frame = forward("ok", "héllo");
        int secondEntryAt = FORWARD_COUNT_AT + 4 + 4 + 2 + 4;
        frame[secondEntryAt + 2] = (byte) 0xFF; // the second byte of 'é' becomes invalid
        rejects(STRINGS, frame, "entries[1] (of 2)", "offset " + secondEntryAt, "malformed UTF-8 at entry byte 1");
    }

    @Test
    void invalidFieldValuesBecomeDecodeExceptions() {
        Message<Long> reply = new HeartbeatReply<>(1, 2, 3, 4, new Ballot(5, 6, 7), true);
        byte[] frame = LONGS.encode(reply);
        rejects(LONGS, patchLong(frame, 2, 0), "HeartbeatReply", "from must be a pid > 0, got 0");
        rejects(LONGS, patchLong(frame, 10, -5), "to must be a pid > 0, got -5");
        rejects(LONGS, patchInt(frame, 18, 0), "configurationId must be > 0");
        rejects(LONGS, patchLong(frame, 22, -1), "round must be in [0, " + Message.MAX_INDEX + "], got -1");
        rejects(LONGS, patchLong(frame, 22, Message.MAX_INDEX + 1), "round must be in [0, ");
        rejects(LONGS, patchLong(frame, 30, Long.MIN_VALUE), "invalid ballot", "offset 30", "ballot n must be in [0, ");
        rejects(LONGS, patchLong(frame, 30, Ballot.MAX_N + 1), "invalid ballot", "offset 30",
                "got " + (Ballot.MAX_N + 1));
        rejects(LONGS, patchLong(frame, 30, Long.MAX_VALUE), "invalid ballot", "got " + Long.MAX_VALUE);
        rejects(LONGS, patchInt(frame, 38, -1), "invalid ballot", "priority");
        rejects(LONGS, patchLong(frame, 42, -7), "invalid ballot", "pid");
        byte[] badBool = frame.clone();
        badBool[frame.length - 1] = 2;
        rejects(LONGS, badBool, "quorumConnected must be 0 or 1, got 0x02", "offset 50");
    }

    @Test
    void invalidSequenceNumberAndIndexBecomeDecodeExceptions() {
        Message<Long> m = new AcceptDecide<>(1, 2, 3, Ballot.NONE, new SequenceNumber(1, 1), 0, List.of());
        byte[] frame = LONGS.encode(m);
        rejects(LONGS, patchLong(frame, 42, 0), "AcceptDecide", "invalid sequenceNumber", "offset 42");
        rejects(LONGS, patchLong(frame, 50, -3), "invalid sequenceNumber", "counter=-3");
        rejects(LONGS, patchLong(frame, 50, Long.MAX_VALUE), "invalid sequenceNumber", "counter=" + Long.MAX_VALUE);
        rejects(LONGS, patchLong(frame, 58, -1), "decidedIdx must be in [0, " + Message.MAX_INDEX + "], got -1");
        rejects(LONGS, patchLong(frame, 58, Long.MAX_VALUE), "decidedIdx must be in [0, ");
    }

    @Test
    void encodingAMessageOverTheFrameLimitFailsNamingTheSize() {
        MessageCodec<String> small = new MessageCodec<>(StringCodec.INSTANCE, new Limits(100, 100, 100));
        Message<String> m = new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, List.of("x".repeat(60), "y".repeat(10)));
        String expected = "ProposalForward message needs 140 bytes, more than maxFrameBytes 100";
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> small.encodedSize(m)).getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> small.encode(m)).getMessage());
        ByteBuffer roomy = ByteBuffer.allocate(1000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small.encode(m, roomy));
        assertTrue(e.getMessage().contains("more than 100 bytes, more than maxFrameBytes 100"), e::getMessage);
        assertEquals(0, roomy.position(), "failed encode leaves the position alone");
    }

    @Test
    void encodingTooManyOrTooBigEntriesFails() {
        MessageCodec<String> small = new MessageCodec<>(StringCodec.INSTANCE, new Limits(1000, 2, 5));
        Message<String> many = new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, List.of("a", "b", "c"));
        assertThrows(IllegalArgumentException.class, () -> small.encode(many));
        assertThrows(IllegalArgumentException.class, () -> small.encode(many, ByteBuffer.allocate(1000)));
        Message<String> big = new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, List.of("a", "€€"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small.encode(big));
        assertEquals("ProposalForward entry 1 encodes to 6 bytes, more than maxEntryBytes 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> small.encode(big, ByteBuffer.allocate(1000)));
    }

    @Test
    void encodingIntoATooSmallBufferOverflowsWithoutMovingIt() {
        Message<Long> m = new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, List.of(1L, 2L));
        ByteBuffer out = ByteBuffer.allocate(LONGS.encodedSize(m) - 1);
        out.position(1);
        assertThrows(BufferOverflowException.class, () -> LONGS.encode(m, out));
        assertEquals(1, out.position());
    }

    @Test
    void entryCodecWithAWrongEncodedSizeIsCaught() {
        for (int claimed : new int[] {4, 12}) {
            EntryCodec<Long> lying = new EntryCodec<>() {
                @Override public void encode(Long entry, ByteBuffer out) { out.putLong(entry); }
                @Override public int encodedSize(Long entry) { return claimed; }
                @Override public Long decode(ByteBuffer in) { return in.getLong(); }
            };
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new MessageCodec<>(lying).encode(new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, List.of(1L))));
            assertTrue(e.getMessage().contains("inconsistent"), e::getMessage);
        }
    }

    @Test
    void limitsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new Limits(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Limits(1, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Limits(1, 1, 0));
        assertEquals(new Limits(16 << 20, 262_144, 1 << 20), Limits.DEFAULT);
    }

    @Test
    void emptyListWithNoLimitsStillDecodes() {
        MessageCodec<Long> codec = new MessageCodec<>(LongCodec.INSTANCE, new Limits(FORWARD_COUNT_AT + 4, 1, 1));
        assertEquals(new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, Collections.emptyList()),
                codec.decode(codec.encode(new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, List.of()))));
    }

    private static byte[] patchLong(byte[] frame, int at, long value) {
        byte[] copy = frame.clone();
        ByteBuffer.wrap(copy).putLong(at, value);
        return copy;
    }

    private static byte[] patchInt(byte[] frame, int at, int value) {
        byte[] copy = frame.clone();
        ByteBuffer.wrap(copy).putInt(at, value);
        return copy;
    }

    /** LongCodec that counts decode calls, to prove a frame was rejected before any entry was read. */
    static final class CountingCodec implements EntryCodec<Long> {
        int decodes;

        @Override public void encode(Long entry, ByteBuffer out) { LongCodec.INSTANCE.encode(entry, out); }
        @Override public int encodedSize(Long entry) { return 8; }
        @Override public Long decode(ByteBuffer in) {
            decodes++;
            return LongCodec.INSTANCE.decode(in);
        }
    }
}
