package dev.logcast.bench.load;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Reads an HTTP/1.1 response head (RFC 9112 §4-6) in place from a buffer: the status code and the two headers the load
 * generator needs to frame a body, {@code Content-Length} and {@code Transfer-Encoding: chunked}. No strings, no copies.
 *
 * <p>Not thread-safe: one instance per connection, reused for every response.
 */
final class ResponseHead {

    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "chunked".getBytes(StandardCharsets.US_ASCII);

    int status;
    long contentLength;
    boolean chunked;
    /** Index of the first body byte. */
    int bodyStart;

    /**
     * Parses the head starting at {@code in.readerIndex()} without moving it.
     *
     * @return true when the whole head is in the buffer; false to wait for more bytes
     * @throws IllegalStateException when the status line is not HTTP/1.x
     */
    boolean parse(ByteBuf in) {
        int start = in.readerIndex();
        int limit = in.writerIndex();
        status = -1;
        contentLength = -1;
        chunked = false;
        int lineStart = start;
        while (true) {
            int lf = in.indexOf(lineStart, limit, (byte) '\n');
            if (lf < 0) {
                return false;
            }
            int lineEnd = lf > lineStart && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
            if (lineStart == start) {
                status = statusCode(in, lineStart, lineEnd);
            } else if (lineEnd == lineStart) {
                bodyStart = lf + 1;
                return true;
            } else if (startsWithIgnoreCase(in, lineStart, lineEnd, CONTENT_LENGTH)) {
                contentLength = decimal(in, lineStart + CONTENT_LENGTH.length, lineEnd);
            } else if (startsWithIgnoreCase(in, lineStart, lineEnd, TRANSFER_ENCODING)) {
                chunked = lineEnd - lineStart >= TRANSFER_ENCODING.length + CHUNKED.length
                        && startsWithIgnoreCase(in, lineEnd - CHUNKED.length, lineEnd, CHUNKED);
            }
            lineStart = lf + 1;
        }
    }

    /** Whether this response has no body whatever its headers say (RFC 9112 §6.3). */
    boolean bodyless() {
        return status < 200 || status == 204 || status == 304;
    }

    private static int statusCode(ByteBuf in, int from, int to) {
        // "HTTP/1.1 202 Accepted"
        if (to - from < 12 || in.getByte(from) != 'H' || in.getByte(from + 8) != ' ') {
            throw new IllegalStateException("not an HTTP/1.x status line");
        }
        int code = 0;
        for (int i = from + 9; i < from + 12; i++) {
            int d = in.getByte(i) - '0';
            if (d < 0 || d > 9) {
                throw new IllegalStateException("bad status code");
            }
            code = code * 10 + d;
        }
        return code;
    }

    private static long decimal(ByteBuf in, int from, int to) {
        long value = 0;
        boolean any = false;
        for (int i = from; i < to; i++) {
            byte b = in.getByte(i);
            if (b >= '0' && b <= '9') {
                value = value * 10 + (b - '0');
                any = true;
            } else if (b != ' ' && b != '\t') {
                throw new IllegalStateException("bad Content-Length");
            }
        }
        if (!any) {
            throw new IllegalStateException("empty Content-Length");
        }
        return value;
    }

    /** ASCII case-insensitive prefix test against a lower-case {@code name}. */
    static boolean startsWithIgnoreCase(ByteBuf in, int from, int to, byte[] name) {
        if (to - from < name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            int b = in.getByte(from + i);
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != name[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * End of a chunked body (RFC 9112 §7.1) that starts at {@code from}, trailers included, or -1 if the buffer does
     * not hold all of it yet.
     */
    static int chunkedBodyEnd(ByteBuf in, int from) {
        int limit = in.writerIndex();
        int pos = from;
        while (true) {
            int lf = in.indexOf(pos, limit, (byte) '\n');
            if (lf < 0) {
                return -1;
            }
            long size = 0;
            for (int i = pos; i < lf; i++) {
                int d = EventLayout.hexValue((byte) Character.toLowerCase(in.getByte(i)));
                if (d < 0) {
                    break;
                }
                size = size * 16 + d;
            }
            if (size == 0) {
                int line = lf + 1;
                while (true) {
                    int end = in.indexOf(line, limit, (byte) '\n');
                    if (end < 0) {
                        return -1;
                    }
                    boolean empty = end == line || (end == line + 1 && in.getByte(line) == '\r');
                    line = end + 1;
                    if (empty) {
                        return line;
                    }
                }
            }
            long next = lf + 1 + size + 2;
            if (next > limit) {
                return -1;
            }
            pos = (int) next;
        }
    }
}
