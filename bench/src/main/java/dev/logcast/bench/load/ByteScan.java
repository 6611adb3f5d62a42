package dev.logcast.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;

/**
 * Finds the first of one or two byte values in a buffer range eight bytes at a time (SWAR: "SIMD within a register").
 * Netty's {@code indexOf} reads direct buffers a byte at a time, and the subscribers' loop spends most of its Java time
 * skipping over JSON to the next line end or payload marker.
 *
 * <p>Each 8-byte word is read little-endian, so the lowest address is the least significant byte: straight from
 * memory for direct buffers on a little-endian machine (the range is inside the buffer's readable bytes, so no
 * per-word bounds or reference-count check is needed), through {@link ByteBuf#getLongLE} otherwise. The zero-byte
 * test is the exact one (no false positives next to a match, unlike the {@code (x - 0x01..) & ~x & 0x80..} shortcut),
 * so the trailing-zero count of the mask gives the first match. Stateless and thread-safe.
 */
final class ByteScan {

    private static final long LOW_SEVEN = 0x7F7F_7F7F_7F7F_7F7FL;
    private static final long EVERY_BYTE = 0x0101_0101_0101_0101L;
    private static final boolean RAW_WORDS = PlatformDependent.hasUnsafe() && !PlatformDependent.BIG_ENDIAN_NATIVE_ORDER;

    /** A lower-case hex digit's value by byte, -1 for every other byte. */
    private static final byte[] HEX_VALUES = new byte[256];

    static {
        java.util.Arrays.fill(HEX_VALUES, (byte) -1);
        for (int b = 0; b < 256; b++) {
            int d = EventLayout.hexValue((byte) b);
            if (d >= 0) {
                HEX_VALUES[b] = (byte) d;
            }
        }
    }

    private ByteScan() {
    }

    /** Index of the first {@code a} or {@code b} in {@code [from, to)} of {@code buf}, or -1. */
    static int indexOfEither(ByteBuf buf, int from, int to, byte a, byte b) {
        long patternA = EVERY_BYTE * (a & 0xFF);
        long patternB = EVERY_BYTE * (b & 0xFF);
        int i = from;
        boolean raw = RAW_WORDS && buf.hasMemoryAddress();
        long address = raw ? buf.memoryAddress() : 0;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long word = raw ? PlatformDependent.getLong(address + i) : buf.getLongLE(i);
            long matches = zeroBytes(word ^ patternA) | zeroBytes(word ^ patternB);
            if (matches != 0) {
                return i + (Long.numberOfTrailingZeros(matches) >>> 3);
            }
        }
        for (; i < to; i++) {
            byte c = buf.getByte(i);
            if (c == a || c == b) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The value of the {@code digits} lower-case hex digits at {@code [from, from + digits)} of {@code buf} (at most
     * 15 digits, all inside its readable bytes), or -1 when one of them is not such a digit.
     */
    static long hex(ByteBuf buf, int from, int digits) {
        boolean raw = RAW_WORDS && buf.hasMemoryAddress();
        long address = raw ? buf.memoryAddress() : 0;
        long value = 0;
        int invalid = 0;
        for (int i = from; i < from + digits; i++) {
            int d = HEX_VALUES[(raw ? PlatformDependent.getByte(address + i) : buf.getByte(i)) & 0xFF];
            invalid |= d;
            value = value << 4 | (d & 0xF);
        }
        return invalid < 0 ? -1 : value;
    }

    /** Index of the first {@code value} in {@code [from, to)} of {@code buf}, or -1. */
    static int indexOf(ByteBuf buf, int from, int to, byte value) {
        return indexOfEither(buf, from, to, value, value);
    }

    /** 0x80 in every byte of {@code x} that is zero, 0x00 in every other byte. */
    private static long zeroBytes(long x) {
        long t = (x & LOW_SEVEN) + LOW_SEVEN;
        return ~(t | x | LOW_SEVEN);
    }
}
