package dev.logcast.protocol.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The validator agrees with the JDK's strict UTF-8 decoder, whatever the buffer's shape. */
class Utf8ValidatorTest {
    @Test
    void agreesWithTheJdkDecoderOnRandomText() {
        Random random = new Random(42);
        int[] alphabet = {'a', '{', 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0x9F, 0xA0, 0xF0,
            0x90, 0xF4, 0x8F, 0xF5, 0xFF};
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(24)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = random.nextInt(4) == 0 ? (byte) alphabet[random.nextInt(alphabet.length)]
                        : (byte) random.nextInt(256);
            }
            boolean valid = jdkAccepts(bytes);
            for (ByteBuf buf : shapes(bytes)) {
                try {
                    assertThat(Utf8Validator.firstInvalidByte(buf) < 0).as("%s", HexFormat.of()
                            .formatHex(bytes)).isEqualTo(valid);
                } finally {
                    buf.release();
                }
            }
        }
    }

    @Test
    void asciiRunsAndEveryPlaneAreValid() {
        String text = "x".repeat(37) + "\u00e9\u0800\uffff\ud800\udc00\udbff\udfff" + "y".repeat(17) + "\u07ff";
        for (ByteBuf buf : shapes(text.getBytes(StandardCharsets.UTF_8))) {
            try {
                assertThat(Utf8Validator.firstInvalidByte(buf)).isEqualTo(-1);
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void reportsTheOffsetFromTheReaderIndex() {
        ByteBuf buf = Unpooled.buffer().writeBytes(new byte[] {(byte) 0xFF, 'a', 'b', 'c', (byte) 0x80});
        try {
            buf.readerIndex(1);
            assertThat(Utf8Validator.firstInvalidByte(buf)).isEqualTo(3);
        } finally {
            buf.release();
        }
    }

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Heap, direct, a composite split at every third byte, and a read-only wrapper (no NIO view). */
    private static ByteBuf[] shapes(byte[] bytes) {
        CompositeByteBuf composite = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        for (int i = 0; i < bytes.length; i += 3) {
            int n = Math.min(3, bytes.length - i);
            composite.addComponent(true, Unpooled.directBuffer(n).writeBytes(bytes, i, n));
        }
        return new ByteBuf[] {
            Unpooled.buffer(bytes.length).writeBytes(bytes),
            Unpooled.directBuffer(bytes.length).writeBytes(bytes),
            composite,
            new NoNioBuffer(bytes.length).writeBytes(bytes)
        };
    }

    /** A buffer that offers neither an array nor NIO views, so the validator walks it byte by byte. */
    private static final class NoNioBuffer extends UnpooledHeapByteBuf {
        NoNioBuffer(int capacity) {
            super(UnpooledByteBufAllocator.DEFAULT, capacity, capacity);
        }

        @Override
        public int nioBufferCount() {
            return -1;
        }

        @Override
        public boolean hasArray() {
            return false;
        }
    }
}
