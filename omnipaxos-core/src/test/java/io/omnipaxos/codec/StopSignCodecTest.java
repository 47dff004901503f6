package io.omnipaxos.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.ClusterConfig;
import io.omnipaxos.StopSign;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stop-sign's binary form: round trips, and every kind of bad input named. */
class StopSignCodecTest {

    @Test
    void roundTripsSmallAndLargeStopSigns() {
        for (StopSign stopSign : List.of(Samples.stopSign(false), Samples.stopSign(true))) {
            byte[] bytes = StopSignCodec.encode(stopSign);
            assertEquals(StopSignCodec.encodedSize(stopSign), bytes.length);
            assertEquals(stopSign, StopSignCodec.decode(bytes));
        }
    }

    @Test
    void everyTruncationIsRejected() {
        byte[] bytes = StopSignCodec.encode(Samples.stopSign(true));
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThrows(DecodeException.class, () -> StopSignCodec.decode(cut), "length " + length);
        }
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] bytes = Arrays.copyOf(StopSignCodec.encode(Samples.stopSign(false)), 40);
        DecodeException e = assertThrows(DecodeException.class, () -> StopSignCodec.decode(bytes));
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    }

    @Test
    void anInvalidConfigurationIsRejectedNamingIt() {
        ByteBuffer out = ByteBuffer.allocate(64);
        out.putInt(2).putInt(2).putLong(5).putLong(5).put((byte) 0).putInt(0);
        DecodeException e = assertThrows(DecodeException.class,
                () -> StopSignCodec.decode(Arrays.copyOf(out.array(), out.position())));
        assertTrue(e.getMessage().contains("duplicate pid 5"), e.getMessage());
    }

    @Test
    void hugeCountsAreRejectedBeforeAllocating() {
        ByteBuffer nodes = ByteBuffer.allocate(8).putInt(2).putInt(Integer.MAX_VALUE);
        DecodeException e = assertThrows(DecodeException.class, () -> StopSignCodec.decode(nodes.array()));
        assertTrue(e.getMessage().contains("node count"), e.getMessage());
        ByteBuffer metadata = ByteBuffer.allocate(30).putInt(2).putInt(2).putLong(1).putLong(2).put((byte) 0)
                .putInt(StopSignCodec.MAX_METADATA_BYTES + 1);
        DecodeException m = assertThrows(DecodeException.class, () -> StopSignCodec.decode(metadata.array()));
        assertTrue(m.getMessage().contains("metadata length"), m.getMessage());
    }

    @Test
    void randomBytesNeverThrowAnythingButDecodeException() {
        Random random = new Random(7);
        byte[] valid = StopSignCodec.encode(new StopSign(new ClusterConfig(3, List.of(1L, 2L, 3L)), new byte[] {1, 2}));
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = valid.clone();
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            try {
                StopSignCodec.decode(bytes);
            } catch (DecodeException expected) {
                // fine: named rejection
            }
        }
    }
}
