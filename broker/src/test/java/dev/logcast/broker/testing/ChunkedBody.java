package dev.logcast.broker.testing;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A response body in HTTP/1.1 chunks (RFC 9112 §7.1), read as the bytes it carries; the last chunk is the end of
 * the stream, and a connection that closes before it is an {@link EOFException}. Chunk extensions and trailers are
 * skipped.
 */
public final class ChunkedBody extends FilterInputStream {
    private int left;
    private boolean ended;
    private boolean sawLastChunk;

    public ChunkedBody(InputStream in) {
        super(in);
    }

    /** Whether the body ended with its last chunk (not with the connection's close). */
    public boolean sawLastChunk() {
        return sawLastChunk;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (ended) {
            return -1;
        }
        if (left == 0) {
            String line = line();
            if (line == null) {
                ended = true;
                throw new EOFException("the connection closed between chunks, before the last chunk");
            }
            int semicolon = line.indexOf(';');
            left = Integer.parseInt((semicolon < 0 ? line : line.substring(0, semicolon)).trim(), 16);
            if (left == 0) {
                String trailer;
                while ((trailer = line()) != null && !trailer.isEmpty()) {
                    // trailer fields: none expected
                }
                ended = true;
                sawLastChunk = true;
                return -1;
            }
        }
        int n = in.read(b, off, Math.min(len, left));
        if (n < 0) {
            ended = true;
            throw new EOFException("the connection closed inside a chunk");
        }
        left -= n;
        if (left == 0) {
            String crlf = line();
            if (crlf == null) {
                throw new EOFException("the connection closed before a chunk's CRLF");
            }
            if (!crlf.isEmpty()) {
                throw new IOException("a chunk does not end in CRLF");
            }
        }
        return n;
    }

    /** A CRLF-terminated line without its end, or null at the end of the stream before any of it. */
    private String line() throws IOException {
        StringBuilder text = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int length = text.length();
                if (length > 0 && text.charAt(length - 1) == '\r') {
                    text.setLength(length - 1);
                }
                return text.toString();
            }
            text.append((char) c);
        }
        if (text.length() > 0) {
            throw new EOFException("the connection closed inside a chunk's size line or end");
        }
        return null;
    }

    /** A chunked body read whole: the bytes it carries, and whether it ended with the last chunk. */
    public record Decoded(byte[] bytes, boolean ended) {
    }

    /**
     * The bytes {@code raw} carries as a chunked body, as far as it goes: a body cut off (a connection closed in a
     * chunk or before the last one) is fine, its {@code ended} is false; bad framing is an exception.
     */
    public static Decoded decode(byte[] raw) throws IOException {
        ChunkedBody body = new ChunkedBody(new java.io.ByteArrayInputStream(raw));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = body.read(buf, 0, buf.length)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (EOFException cut) {
            return new Decoded(out.toByteArray(), false);
        }
        return new Decoded(out.toByteArray(), body.sawLastChunk());
    }

    @Override
    public int available() throws IOException {
        return left == 0 ? 0 : Math.min(left, in.available());
    }
}
