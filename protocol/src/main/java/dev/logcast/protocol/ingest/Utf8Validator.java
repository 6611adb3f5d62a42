package dev.logcast.protocol.ingest;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/**
 * Checks that a body is well-formed UTF-8 (RFC 3629 §4: no overlong forms, no surrogates, nothing above U+10FFFF).
 * jackson-core rejects bad lead and continuation bytes but decodes overlong forms and encoded surrogates, so JSON
 * bodies pass here first. ASCII runs are skipped eight bytes at a time; the buffer is read in place, never copied.
 *
 * <p><b>Owner:</b> the decoding thread; one instance per body. Not thread-safe.
 */
final class Utf8Validator {
    private static final long NON_ASCII = 0x8080808080808080L;

    /** Continuation bytes still expected for the current sequence. */
    private int pending;
    /** Bounds of the next continuation byte (narrower than 0x80..0xBF right after some lead bytes). */
    private int low = 0x80;
    private int high = 0xBF;
    private long offset;

    private Utf8Validator() {
    }

    /**
     * The offset (from the reader index) of the first byte of {@code body} that breaks UTF-8, or {@code -1} when it
     * is all well-formed. A sequence cut off by the end of the body is reported at the end.
     */
    static long firstInvalidByte(ByteBuf body) {
        Utf8Validator v = new Utf8Validator();
        int count = body.nioBufferCount();
        if (count == 1) {
            long bad = v.feed(body.nioBuffer());
            return bad >= 0 ? bad : v.end();
        }
        if (count > 1) {
            for (ByteBuffer part : body.nioBuffers()) {
                long bad = v.feed(part);
                if (bad >= 0) {
                    return bad;
                }
            }
            return v.end();
        }
        int at = body.forEachByte(b -> v.accept(b & 0xFF));
        return at >= 0 ? at - body.readerIndex() : v.end();
    }

    private long end() {
        return pending == 0 ? -1 : offset;
    }

    private long feed(ByteBuffer in) {
        int i = in.position();
        int limit = in.limit();
        while (i < limit) {
            if (pending == 0 && i + 8 <= limit && (in.getLong(i) & NON_ASCII) == 0) {
                i += 8;
                offset += 8;
                continue;
            }
            if (!accept(in.get(i) & 0xFF)) {
                return offset;
            }
            i++;
        }
        return -1;
    }

    /** Takes one byte; {@code false} when it breaks UTF-8 (then {@link #offset} is its position). */
    private boolean accept(int b) {
        if (pending > 0) {
            if (b < low || b > high) {
                return false;
            }
            pending--;
            low = 0x80;
            high = 0xBF;
        } else if (b >= 0x80) {
            if (b >= 0xC2 && b <= 0xDF) {
                pending = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                pending = 2;
                if (b == 0xE0) {
                    low = 0xA0; // overlong below U+0800
                } else if (b == 0xED) {
                    high = 0x9F; // U+D800..U+DFFF are surrogates
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                pending = 3;
                if (b == 0xF0) {
                    low = 0x90; // overlong below U+10000
                } else if (b == 0xF4) {
                    high = 0x8F; // above U+10FFFF
                }
            } else {
                return false; // 0x80..0xC1: stray continuation or overlong 2-byte lead; 0xF5..0xFF: never UTF-8
            }
        }
        offset++;
        return true;
    }
}
