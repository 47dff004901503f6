package io.omnipaxos.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.omnipaxos.messages.Message;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of {@link MessageCodec#decode}: random frames and mutated valid frames must either
 * decode to a message that re-encodes to the very same bytes, or throw {@link DecodeException};
 * nothing else. The seed is random per run and printed on failure; replay with {@code
 * -Domnipaxos.fuzz.seed=<seed>}.
 */
class MessageCodecFuzzTest {

    private static final long SEED = Long.getLong("omnipaxos.fuzz.seed", System.nanoTime());
    private static final int RANDOM_FRAMES = 100_000;
    private static final int MUTATED_FRAMES = 200_000;

    /** Tight limits so that the fuzzer reaches the limit checks, next to the defaults. */
    private static final Limits TIGHT = new Limits(512, 12, 40);

    private static final List<MessageCodec<String>> STRING_CODECS = List.of(
            new MessageCodec<>(StringCodec.INSTANCE), new MessageCodec<>(StringCodec.INSTANCE, TIGHT));
    private static final List<MessageCodec<Long>> LONG_CODECS = List.of(
            new MessageCodec<>(LongCodec.INSTANCE), new MessageCodec<>(LongCodec.INSTANCE, TIGHT));

    private static final int[] HOSTILE_INTS = {
        -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, 1, 12, 13, 40, 41, 512, 1 << 20, (1 << 20) + 1, 262_145, 1 << 30
    };
    private static final long[] HOSTILE_LONGS = {-1, Long.MIN_VALUE, Long.MAX_VALUE, 0, 1};

    @Test
    void randomFramesDecodeOrThrowDecodeException() {
        Random rnd = new Random(SEED);
        for (int i = 0; i < RANDOM_FRAMES; i++) {
            byte[] frame = randomFrame(rnd);
            if (i % 2 == 0) {
                check(STRING_CODECS.get(i / 2 % 2), frame, i, () -> "random");
            } else {
                check(LONG_CODECS.get(i / 2 % 2), frame, i, () -> "random");
            }
        }
    }

    @Test
    void mutatedStringFramesDecodeOrThrowDecodeException() {
        fuzzMutations(STRING_CODECS, r -> Samples.randomStrings(r, 8), SEED + 1);
    }

    @Test
    void mutatedLongFramesDecodeOrThrowDecodeException() {
        fuzzMutations(LONG_CODECS, r -> Samples.randomLongs(r, 8), SEED + 2);
    }

    @Test
    void randomValidMessagesRoundTrip() {
        Random rnd = new Random(SEED + 3);
        MessageCodec<String> codec = STRING_CODECS.get(0);
        ByteBuffer direct = ByteBuffer.allocateDirect(1 << 16);
        for (int i = 0; i < 10_000; i++) {
            Message<String> m = Samples.random(rnd, r -> Samples.randomStrings(r, 10));
            try {
                byte[] frame = codec.encode(m);
                assertEquals(codec.encodedSize(m), frame.length);
                assertEquals(m, codec.decode(frame));
                direct.clear();
                assertEquals(frame.length, codec.encode(m, direct));
                assertEquals(m, codec.decode(direct.flip()));
            } catch (AssertionError | RuntimeException e) {
                fail("round trip failed for " + m + " " + replay(i), e);
            }
        }
    }

    private <T> void fuzzMutations(List<MessageCodec<T>> codecs, Function<Random, List<T>> entries, long seed) {
        Random rnd = new Random(seed);
        for (int i = 0; i < MUTATED_FRAMES / 2; i++) {
            MessageCodec<T> codec = codecs.get(i % 2);
            byte[] valid = codecs.get(0).encode(Samples.random(rnd, entries));
            int kind = rnd.nextInt(9);
            byte[] mutated = mutate(rnd, valid, kind);
            check(codec, mutated, i, () -> "mutation " + kind + " of " + HexFormat.of().formatHex(valid));
        }
    }

    /**
     * Random bytes. Most frames start with the valid version and a known tag, since frames rejected
     * at byte 0 or 1 exercise little; one in eight is random throughout.
     */
    private static byte[] randomFrame(Random rnd) {
        byte[] frame = new byte[rnd.nextInt(rnd.nextBoolean() ? 24 : 160)];
        rnd.nextBytes(frame);
        if (frame.length >= 2 && rnd.nextInt(8) != 0) {
            MessageTag[] tags = MessageTag.values();
            frame[0] = (byte) WireFormat.VERSION;
            frame[1] = (byte) tags[rnd.nextInt(tags.length)].code;
        }
        return frame;
    }

    /** One mutation of a valid frame; {@code kind} picks which. */
    private static byte[] mutate(Random rnd, byte[] valid, int kind) {
        byte[] f = valid.clone();
        switch (kind) {
            case 0: // flip 1..3 bits
                for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
                    f[rnd.nextInt(f.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return f;
            case 1: // set a byte
                f[rnd.nextInt(f.length)] = (byte) rnd.nextInt(256);
                return f;
            case 2: // truncate
                return Arrays.copyOf(f, rnd.nextInt(f.length));
            case 3: // extend with random bytes
                byte[] longer = Arrays.copyOf(f, f.length + 1 + rnd.nextInt(12));
                for (int i = f.length; i < longer.length; i++) {
                    longer[i] = (byte) rnd.nextInt(256);
                }
                return longer;
            case 4: // hostile int anywhere, often where counts and lengths live
                putHostileInt(rnd, f, rnd.nextInt(3) == 0 ? countOffset(f) : rnd.nextInt(f.length));
                return f;
            case 5: // hostile int at the first entry's length
                putHostileInt(rnd, f, countOffset(f) + WireFormat.COUNT_BYTES);
                return f;
            case 6: // hostile long anywhere (indices, pids, ballots)
                int at = rnd.nextInt(f.length);
                if (at + 8 <= f.length) {
                    ByteBuffer.wrap(f).putLong(at, HOSTILE_LONGS[rnd.nextInt(HOSTILE_LONGS.length)]);
                }
                return f;
            case 7: // cut a range out
                int from = rnd.nextInt(f.length);
                int to = from + rnd.nextInt(f.length - from + 1);
                byte[] cut = new byte[f.length - (to - from)];
                System.arraycopy(f, 0, cut, 0, from);
                System.arraycopy(f, to, cut, from, f.length - to);
                return cut;
            default: // duplicate a range
                int start = rnd.nextInt(f.length);
                int len = rnd.nextInt(Math.min(16, f.length - start) + 1);
                byte[] dup = new byte[f.length + len];
                System.arraycopy(f, 0, dup, 0, start + len);
                System.arraycopy(f, start, dup, start + len, f.length - start);
                return dup;
        }
    }

    /** Where the entry count sits if the frame's type has an entry list; else a random-ish header offset. */
    private static int countOffset(byte[] f) {
        MessageTag tag = MessageTag.ofCode(f[1]);
        return tag.hasEntries ? WireFormat.HEADER_BYTES + tag.fixedBodyBytes : WireFormat.HEADER_BYTES - 4;
    }

    private static void putHostileInt(Random rnd, byte[] f, int at) {
        if (at + 4 <= f.length) {
            ByteBuffer.wrap(f).putInt(at, HOSTILE_INTS[rnd.nextInt(HOSTILE_INTS.length)]);
        }
    }

    /** Decodes and checks the contract: a canonical message, or DecodeException with an offset. */
    private static <T> void check(MessageCodec<T> codec, byte[] frame, int iteration, Supplier<String> origin) {
        Message<T> decoded;
        try {
            decoded = codec.decode(frame);
        } catch (DecodeException e) {
            if (e.getMessage() == null || !(e.getMessage().contains("offset") || e.getMessage().contains("frame of"))) {
                fail("DecodeException without an offset: " + e.getMessage() + " " + describe(frame, iteration, origin));
            }
            return;
        } catch (Throwable t) {
            fail("decode threw " + t + " " + describe(frame, iteration, origin), t);
            return;
        }
        try {
            assertArrayEquals(frame, codec.encode(decoded), "re-encoding a decoded frame must give the same bytes");
            assertEquals(decoded, codec.decode(ByteBuffer.wrap(frame)));
        } catch (AssertionError | RuntimeException e) {
            fail("decoded " + decoded + " but " + e + " " + describe(frame, iteration, origin), e);
        }
    }

    private static String describe(byte[] frame, int iteration, Supplier<String> origin) {
        String hex = HexFormat.of().formatHex(frame, 0, Math.min(frame.length, 300));
        return "(" + replay(iteration) + ", " + origin.get() + ", frame " + hex + (frame.length > 300 ? "..." : "") + ")";
    }

    private static String replay(int iteration) {
        return "seed " + SEED + " iteration " + iteration + "; replay with -Domnipaxos.fuzz.seed=" + SEED;
    }
}
