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
