package dev.logcast.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ByteScanTest {

    private static int naive(ByteBuf buf, int from, int to, byte a, byte b) {
        for (int i = from; i < to; i++) {
            byte c = buf.getByte(i);
            if (c == a || c == b) {
                return i;
            }
        }
        return -1;
    }

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {false, true})
    void findsTheSameFirstMatchAsAByteByByteSearchEverywhere(boolean direct) {
        Random random = new Random(42);
        // bytes next to the targets in value (0x09, 0x0b, 0x7d, 0x7f) and with the high bit set catch inexact tests
        byte[] alphabet = {'\n', '~', 0x09, 0x0b, 0x7d, 0x7f, (byte) 0x80, (byte) 0x8a, (byte) 0xfe, (byte) 0xff, 'a', 0};
        for (int round = 0; round < 2000; round++) {
            int length = random.nextInt(40);
            ByteBuf buf = direct ? PooledByteBufAllocator.DEFAULT.directBuffer(length + 8) : Unpooled.buffer(length + 8);
            try {
                buf.writerIndex(random.nextInt(8)).readerIndex(buf.writerIndex());
                for (int i = 0; i < length; i++) {
                    buf.writeByte(random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : 'x');
                }
                int from = buf.readerIndex() + random.nextInt(length + 1);
                int to = from + random.nextInt(buf.writerIndex() - from + 1);
                assertThat(ByteScan.indexOfEither(buf, from, to, (byte) '\n', (byte) '~'))
                        .isEqualTo(naive(buf, from, to, (byte) '\n', (byte) '~'));
                assertThat(ByteScan.indexOf(buf, from, to, (byte) 0xff)).isEqualTo(naive(buf, from, to, (byte) 0xff,
                        (byte) 0xff));
            } finally {
                buf.release();
            }
        }
    }

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {false, true})
    void readsLowerCaseHexAndRefusesEveryOtherByte(boolean direct) {
        ByteBuf buf = direct ? PooledByteBufAllocator.DEFAULT.directBuffer(32) : Unpooled.buffer(32);
        try {
            buf.writeBytes("x00c0ffee9a".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(ByteScan.hex(buf, 1, 10)).isEqualTo(0x00c0ffee9aL);
            assertThat(ByteScan.hex(buf, 3, 4)).isEqualTo(0xc0ffL);
            assertThat(ByteScan.hex(buf, 0, 2)).as("x").isEqualTo(-1);
            for (int b = 0; b < 256; b++) {
                buf.setByte(2, b);
                int expected = EventLayout.hexValue((byte) b);
                assertThat(ByteScan.hex(buf, 1, 3)).as("byte %d", b).isEqualTo(expected < 0 ? -1 : expected << 4 | 0xc);
            }
        } finally {
            buf.release();
        }
    }
}
