package io.omnipaxos.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.omnipaxos.Ballot;
import io.omnipaxos.messages.AcceptDecide;
import io.omnipaxos.messages.AcceptSync;
import io.omnipaxos.messages.HeartbeatReply;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.ProposalForward;
import io.omnipaxos.messages.SequenceNumber;
import io.omnipaxos.messages.SnapshotPart;
import io.omnipaxos.messages.SnapshotPartAck;
import io.omnipaxos.messages.TakeSnapshot;
import io.omnipaxos.messages.Trim;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class MessageCodecRoundTripTest {

    private static final MessageCodec<String> STRINGS = new MessageCodec<>(StringCodec.INSTANCE);
    private static final MessageCodec<Long> LONGS = new MessageCodec<>(LongCodec.INSTANCE);
    private static final List<String> UNICODE = List.of("", "a", "ü", "€uro", "日本語", "😀 emoji 🇸🇪",
            "\u0000nul", "\uFFFF", "𝄞" + "x".repeat(1000), "mixed ascii ÅÄÖ ∑ 😀");

    @Test
    void samplesCoverEveryMessageType() {
        // Fails when a message record is added to the sealed hierarchy but not to the codec samples.
        Set<Class<?>> sampled = Samples.<String>everyType(List.of(), false).stream()
                .map(Object::getClass).collect(Collectors.toSet());
        assertEquals(Samples.messageRecordTypes(), sampled);
    }

    @Test
    void everyTypeRoundTripsWithMinimalValuesAndEmptyLists() {
        Samples.<String>everyType(List.of(), false).forEach(m -> assertRoundTrip(STRINGS, m));
    }

    @Test
    void everyTypeRoundTripsWithMaximalValues() {
        Samples.everyType(List.of("max"), true).forEach(m -> assertRoundTrip(STRINGS, m));
    }

    @Test
    void everyTypeRoundTripsWithUnicodeEntries() {
        Samples.everyType(UNICODE, false).forEach(m -> assertRoundTrip(STRINGS, m));
        Samples.everyType(UNICODE, true).forEach(m -> assertRoundTrip(STRINGS, m));
    }

    @Test
    void everyTypeRoundTripsWithLongEntries() {
        List<Long> edge = List.of(0L, -1L, 1L, Long.MIN_VALUE, Long.MAX_VALUE);
        Samples.everyType(edge, true).forEach(m -> assertRoundTrip(LONGS, m));
    }

    @Test
    void bigEntryListRoundTrips() {
        List<Long> entries = LongStream.range(0, 200_000).boxed().collect(Collectors.toList());
        Message<Long> m = new AcceptDecide<>(1, 2, 3, new Ballot(5, 1, 1), new SequenceNumber(1, 2), 7, entries);
        byte[] frame = assertRoundTrip(LONGS, m);
        assertEquals(22 + 20 + 16 + 8 + 4 + 200_000 * (4 + 8), frame.length);
    }

    @Test
    void listAtExactlyTheLimitsRoundTrips() {
        MessageCodec<String> codec = new MessageCodec<>(StringCodec.INSTANCE, new Limits(22 + 20 + 16 + 4 + 3 * (4 + 5), 3, 5));
        assertRoundTrip(codec, new ProposalForward<>(1, 2, 3, Ballot.NONE, 0, 1, List.of("12345", "abcde", "€12")));
    }

    @Test
    void bytesEntriesRoundTripByContent() {
        MessageCodec<byte[]> codec = new MessageCodec<>(BytesCodec.INSTANCE);
        List<byte[]> entries = List.of(new byte[0], new byte[] {0, -1, 127, -128}, new byte[70_000]);
        for (Message<byte[]> m : Samples.everyType(entries, true)) {
            byte[] frame = codec.encode(m);
            Message<byte[]> decoded = codec.decode(frame);
            assertEquals(m.getClass(), decoded.getClass());
            assertArrayEquals(frame, codec.encode(decoded), "re-encoding must give the same frame");
        }
        ProposalForward<byte[]> decoded = (ProposalForward<byte[]>) codec.decode(codec.encode(
                new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, entries)));
        for (int i = 0; i < entries.size(); i++) {
            assertArrayEquals(entries.get(i), decoded.entries().get(i));
        }
    }

    @Test
    void decodedEntryListsAreUnmodifiable() {
        ProposalForward<String> decoded = (ProposalForward<String>) STRINGS.decode(STRINGS.encode(
                new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, List.of("a"))));
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                () -> decoded.entries().add("b"));
    }

    /** Pins the wire layout: any change here breaks compatibility with deployed peers. */
    @Test
    void layoutIsStable() {
        Message<Long> reply = new HeartbeatReply<>(1, 2, 3, 4, new Ballot(5, 6, 7), true);
        assertEquals("04" + "42" + "0000000000000001" + "0000000000000002" + "00000003"
                + "0000000000000004" + "0000000000000005" + "00000006" + "0000000000000007" + "01",
                HexFormat.of().formatHex(LONGS.encode(reply)));
        Message<Long> accept = new AcceptDecide<>(1, 2, 3, new Ballot(4, 5, 6), new SequenceNumber(7, 8), 9,
                List.of(-1L));
        assertEquals("04" + "05" + "0000000000000001" + "0000000000000002" + "00000003"
                + "0000000000000004" + "00000005" + "0000000000000006" + "0000000000000007" + "0000000000000008"
                + "0000000000000009" + "00000001" + "00000008" + "ffffffffffffffff",
                HexFormat.of().formatHex(LONGS.encode(accept)));
        Message<Long> trim = new Trim<>(1, 2, 3, new Ballot(4, 5, 6), 7);
        assertEquals("04" + "0a" + "0000000000000001" + "0000000000000002" + "00000003"
                + "0000000000000004" + "00000005" + "0000000000000006" + "0000000000000007",
                HexFormat.of().formatHex(LONGS.encode(trim)));
        Message<Long> snapshot = new TakeSnapshot<>(1, 2, 3, new Ballot(4, 5, 6), 7);
        assertEquals("04" + "0e" + "0000000000000001" + "0000000000000002" + "00000003"
                + "0000000000000004" + "00000005" + "0000000000000006" + "0000000000000007",
                HexFormat.of().formatHex(LONGS.encode(snapshot)));
        Message<Long> sync = new AcceptSync<>(1, 2, 3, new Ballot(4, 5, 6), new SequenceNumber(7, 8), 9, List.of(),
                10, null, 11, null);
        assertEquals("04" + "04" + "0000000000000001" + "0000000000000002" + "00000003"
                + "0000000000000004" + "00000005" + "0000000000000006" + "0000000000000007" + "0000000000000008"
                + "0000000000000009" + "000000000000000a" + "0000000b" + "00000000" + "00" + "00",
                HexFormat.of().formatHex(LONGS.encode(sync)));
        Message<Long> part = new SnapshotPart<>(1, 2, 3, new Ballot(4, 5, 6), 7, 8, new byte[] {(byte) 0xAB, 0x01});
        assertEquals("04" + "10" + "0000000000000001" + "0000000000000002" + "00000003"
                + "0000000000000004" + "00000005" + "0000000000000006" + "0000000000000007" + "00000008"
                + "00000002" + "ab01",
                HexFormat.of().formatHex(LONGS.encode(part)));
        Message<Long> ack = new SnapshotPartAck<>(1, 2, 3, new Ballot(4, 5, 6), 7, 8);
        assertEquals("04" + "11" + "0000000000000001" + "0000000000000002" + "00000003"
                + "0000000000000004" + "00000005" + "0000000000000006" + "0000000000000007" + "00000008",
                HexFormat.of().formatHex(LONGS.encode(ack)));
    }

    @Test
    void everyTagIsDistinct() {
        Set<Integer> codes = new HashSet<>();
        for (MessageTag tag : MessageTag.values()) {
            assertEquals(true, codes.add(tag.code), "duplicate tag " + tag);
            assertEquals(tag, MessageTag.ofCode(tag.code));
        }
    }

    @Test
    void encodesIntoBufferAtItsPositionWhateverItsOrder() {
        Message<String> m = Samples.everyType(UNICODE, true).get(4);
        byte[] expected = STRINGS.encode(m);
        for (ByteBuffer out : List.of(ByteBuffer.allocate(expected.length + 20),
                ByteBuffer.allocateDirect(expected.length + 20).order(ByteOrder.LITTLE_ENDIAN))) {
            out.position(7);
            assertEquals(expected.length, STRINGS.encode(m, out));
            assertEquals(7 + expected.length, out.position());
            byte[] actual = new byte[expected.length];
            out.get(7, actual);
            assertArrayEquals(expected, actual);
            assertEquals(0, out.get(0), "bytes before the position are untouched");
        }
    }

    @Test
    void byteArrayAndByteBufferPathsDecodeAlike() {
        for (Message<String> m : Samples.everyType(UNICODE, true)) {
            byte[] frame = STRINGS.encode(m);
            for (ByteBuffer in : framings(frame)) {
                int limit = in.limit();
                ByteOrder order = in.order();
                assertEquals(m, STRINGS.decode(in));
                assertEquals(limit, in.position(), "decode consumes the frame");
                assertEquals(order, in.order(), "decode leaves the caller's byte order alone");
            }
            byte[] padded = new byte[frame.length + 9];
            System.arraycopy(frame, 0, padded, 4, frame.length);
            assertEquals(m, STRINGS.decode(padded, 4, frame.length));
        }
    }

    /** The same frame as heap, offset, little-endian, read-only and direct buffers. */
    static List<ByteBuffer> framings(byte[] frame) {
        List<ByteBuffer> out = new ArrayList<>();
        out.add(ByteBuffer.wrap(frame));
        byte[] padded = new byte[frame.length + 10];
        System.arraycopy(frame, 0, padded, 3, frame.length);
        out.add(ByteBuffer.wrap(padded, 3, frame.length).order(ByteOrder.LITTLE_ENDIAN));
        out.add(ByteBuffer.wrap(padded, 3, frame.length).slice().asReadOnlyBuffer());
        ByteBuffer direct = ByteBuffer.allocateDirect(frame.length + 5).order(ByteOrder.LITTLE_ENDIAN);
        direct.position(5);
        direct.put(frame).position(5);
        out.add(direct);
        return out;
    }

    /** Checks encode/decode/encodedSize agree on every path; returns the frame. */
    static <T> byte[] assertRoundTrip(MessageCodec<T> codec, Message<T> m) {
        byte[] frame = codec.encode(m);
        assertEquals(codec.encodedSize(m), frame.length, () -> "encodedSize of " + m);
        Message<T> decoded = codec.decode(frame);
        assertEquals(m, decoded);
        assertArrayEquals(frame, codec.encode(decoded), "encoding is canonical");
        ByteBuffer direct = ByteBuffer.allocateDirect(frame.length);
        assertEquals(frame.length, codec.encode(m, direct));
        direct.flip();
        assertEquals(m, codec.decode(direct));
        return frame;
    }

    @Test
    void emptyAndUnmodifiableInputListsEncode() {
        assertRoundTrip(STRINGS, new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, Collections.emptyList()));
        assertRoundTrip(STRINGS, new ProposalForward<>(1, 1, 1, Ballot.NONE, 0, 1, Arrays.asList("x", "y")));
    }
}
