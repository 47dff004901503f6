package io.omnipaxos.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EntryCodecsTest {

    private static final long SEED = Long.getLong("omnipaxos.fuzz.seed", System.nanoTime());
    private static final StringCodec STRING = StringCodec.INSTANCE;

    private static <T> byte[] encode(EntryCodec<T> codec, T entry) {
        byte[] bytes = new byte[codec.encodedSize(entry)];
        ByteBuffer out = ByteBuffer.wrap(bytes);
        codec.encode(entry, out);
        assertEquals(bytes.length, out.position(), "encode writes exactly encodedSize bytes");
        return bytes;
    }

    private static <T> T decode(EntryCodec<T> codec, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        T entry = codec.decode(in);
        assertEquals(bytes.length, in.position(), "decode consumes every byte");
        return entry;
    }

    @Test
    void stringsRoundTripAsUtf8() {
        for (String s : List.of("", "a", "ascii only", "ÅÄÖ", "€", "日本語", "😀", "a😀b𝄞c", "\u0000", "\u007F\u0080",
                "\u07FF\u0800", "\uFFFF", "\uD800\uDC00", "\uDBFF\uDFFF", "x".repeat(10_000), "what?", "?", "why?".repeat(20))) {
            byte[] bytes = encode(STRING, s);
            assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), bytes, s);
            assertEquals(s, decode(STRING, bytes));
        }
    }

    @Test
    void randomStringsMatchTheJdkEncoder() {
        Random rnd = new Random(SEED);
        for (int i = 0; i < 20_000; i++) {
            String s = Samples.randomString(rnd, rnd.nextInt(20));
            byte[] bytes = encode(STRING, s);
            assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), bytes, () -> s + " seed " + SEED);
            assertEquals(s, decode(STRING, bytes), () -> "seed " + SEED);
        }
    }

    @Test
    void unpairedSurrogatesAreNotEncoded() {
        for (String s : List.of("\uD800", "a\uDC00", "\uD800b", "\uDC00\uD800", "ok\uDBFF", "why?\uD800",
                "x".repeat(5000) + "\uDFFF")) { // the last two: as many UTF-8 bytes as chars if replaced by '?'
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> STRING.encodedSize(s));
            assertTrue(e.getMessage().contains("unpaired surrogate"), e::getMessage);
            assertThrows(IllegalArgumentException.class, () -> STRING.encode(s, ByteBuffer.allocate(4 * s.length())));
        }
    }

    @Test
    void malformedUtf8IsRejected() {
        String[][] cases = {
            {"ff", "0"}, {"80", "0"}, {"c080", "0"}, {"e08080", "0"}, {"eda080", "0"}, {"f4908080", "0"},
            {"f880808080", "0"}, {"e282", "0"}, {"616263c3", "3"}, {"61c3a9ff", "3"}, {"c328", "0"},
        };
        for (String[] c : cases) {
            byte[] bytes = HexFormat.of().parseHex(c[0]);
            DecodeException e = assertThrows(DecodeException.class, () -> STRING.decode(ByteBuffer.wrap(bytes)), c[0]);
            assertTrue(e.getMessage().contains("malformed UTF-8 at entry byte " + c[1]), () -> c[0] + ": " + e.getMessage());
        }
    }

    @Test
    void randomBytesDecodeExactlyWhenTheJdkStrictDecoderAccepts() {
        Random rnd = new Random(SEED + 1);
        for (int i = 0; i < 50_000; i++) {
            byte[] bytes = new byte[rnd.nextInt(10)];
            rnd.nextBytes(bytes);
            String jdk = strictJdkDecode(bytes);
            try {
                String ours = decode(STRING, bytes);
                assertEquals(jdk, ours, () -> HexFormat.of().formatHex(bytes) + " seed " + SEED);
                assertArrayEquals(bytes, encode(STRING, ours));
            } catch (DecodeException e) {
                assertEquals(null, jdk, () -> "rejected valid " + HexFormat.of().formatHex(bytes) + " seed " + SEED);
            } catch (RuntimeException e) {
                fail("threw " + e + " for " + HexFormat.of().formatHex(bytes) + " seed " + SEED, e);
            }
        }
    }

    private static String strictJdkDecode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    @Test
    void stringDecodeReadsOnlyTheRemainingBytes() {
        ByteBuffer in = ByteBuffer.allocateDirect(20);
        in.put("xxé😀yy".getBytes(StandardCharsets.UTF_8));
        in.flip().position(2).limit(in.limit() - 2);
        assertEquals("é😀", STRING.decode(in));
        assertEquals(in.limit(), in.position());
    }

    @Test
    void bytesRoundTripIntoFreshArrays() {
        for (byte[] b : List.of(new byte[0], new byte[] {0}, new byte[] {-128, 127, -1}, new byte[100_000])) {
            byte[] encoded = encode(BytesCodec.INSTANCE, b);
            assertArrayEquals(b, encoded);
            byte[] decoded = decode(BytesCodec.INSTANCE, encoded);
            assertArrayEquals(b, decoded);
            assertNotSame(encoded, decoded);
        }
        ByteBuffer in = ByteBuffer.wrap(new byte[] {9, 1, 2, 9}, 1, 2);
        assertArrayEquals(new byte[] {1, 2}, BytesCodec.INSTANCE.decode(in));
    }

    @Test
    void longsAreEightBigEndianBytes() {
        assertEquals("0102030405060708", HexFormat.of().formatHex(encode(LongCodec.INSTANCE, 0x0102030405060708L)));
        for (long v : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x0102030405060708L}) {
            assertEquals(v, decode(LongCodec.INSTANCE, encode(LongCodec.INSTANCE, v)));
            ByteBuffer little = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            LongCodec.INSTANCE.encode(v, little);
            assertArrayEquals(encode(LongCodec.INSTANCE, v), little.array(), "big-endian whatever the buffer order");
            assertEquals(v, LongCodec.INSTANCE.decode(little.flip()));
        }
    }

    @Test
    void longsOfTheWrongLengthAreRejected() {
        for (int length : new int[] {0, 1, 7, 9, 16}) {
            DecodeException e = assertThrows(DecodeException.class,
                    () -> LongCodec.INSTANCE.decode(ByteBuffer.allocate(length)));
            assertEquals("a Long entry is 8 bytes, got " + length, e.getMessage());
        }
    }
}
