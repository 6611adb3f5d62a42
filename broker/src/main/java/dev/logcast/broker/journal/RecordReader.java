package dev.logcast.broker.journal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Reads the records of one segment file in order, with positional reads into a buffer of its own (so any number
 * of readers share a {@link FileChannel}). A record is {@code [u32 length][u32 crc32c][payload]}, big-endian, the
 * CRC32C over the payload; {@link #next()} checks the frame and the CRC, the caller decodes the payload.
 *
 * <p><b>Owner:</b> the thread that made it. Not thread-safe.
 */
final class RecordReader {
    static final int HEADER_BYTES = 8;
    /** No record is larger: a larger length field is damage, not data. */
    static final int MAX_PAYLOAD_BYTES = (1 << 30) - HEADER_BYTES;

    static final int OK = 0;
    /** A clean end: the last record ended exactly at the limit. */
    static final int END = 1;
    /** The limit falls inside a record's header or payload: a torn write. */
    static final int SHORT = 2;
    /** A length of 0 or larger than any record. */
    static final int BAD_LENGTH = 3;
    static final int BAD_CRC = 4;

    private final CRC32C crc = new CRC32C();
    private byte[] chunk;
    private ByteBuffer chunkBuffer;
    private FileChannel channel;
    /** File offset of {@code chunk[0]}. */
    private long chunkStart;
    private int chunkLength;
    private long limit;
    private long recordOffset;
    private long nextOffset;
    private int payloadStart;
    private int payloadLength;

    RecordReader(int chunkBytes) {
        this.chunk = new byte[chunkBytes];
        this.chunkBuffer = ByteBuffer.wrap(chunk);
    }

    /** Starts reading at {@code position}, a record boundary, and stops at {@code limit}. */
    void reset(FileChannel channel, long position, long limit) {
        this.channel = channel;
        this.limit = limit;
        this.nextOffset = position;
        this.recordOffset = position;
        this.chunkStart = position;
        this.chunkLength = 0;
    }

    /**
     * Reads the next record.
     *
     * @return {@link #OK} (the payload is {@link #buffer()}[{@link #payloadStart()}, +{@link #payloadLength()}]),
     *         {@link #END}, or the damage found: {@link #SHORT}, {@link #BAD_LENGTH}, {@link #BAD_CRC}; after damage
     *         {@link #recordOffset()} is where the valid records end
     */
    int next() throws IOException {
        recordOffset = nextOffset;
        long left = limit - recordOffset;
        if (left == 0) {
            return END;
        }
        if (left < HEADER_BYTES) {
            return SHORT;
        }
        int at = fill(HEADER_BYTES);
        int length = getInt(chunk, at);
        int expectedCrc = getInt(chunk, at + 4);
        if (length <= 0 || length > MAX_PAYLOAD_BYTES) {
            return BAD_LENGTH;
        }
        if (length > left - HEADER_BYTES) {
            return SHORT;
        }
        at = fill(HEADER_BYTES + length);
        crc.reset();
        crc.update(chunk, at + HEADER_BYTES, length);
        if ((int) crc.getValue() != expectedCrc) {
            return BAD_CRC;
        }
        payloadStart = at + HEADER_BYTES;
        payloadLength = length;
        nextOffset = recordOffset + HEADER_BYTES + length;
        return OK;
    }

    byte[] buffer() {
        return chunk;
    }

    int payloadStart() {
        return payloadStart;
    }

    int payloadLength() {
        return payloadLength;
    }

    /** Where the record {@link #next()} looked at starts. */
    long recordOffset() {
        return recordOffset;
    }

    /** Where the record after the last {@link #OK} one starts. */
    long nextOffset() {
        return nextOffset;
    }

    static String describe(int status) {
        return switch (status) {
            case SHORT -> "the file ends inside a record";
            case BAD_LENGTH -> "a record has an impossible length";
            case BAD_CRC -> "a record fails its CRC32C";
            default -> "status " + status;
        };
    }

    /**
     * Makes {@code n} bytes from {@link #recordOffset} available in the chunk (all within the limit, checked by the
     * caller) and returns their index.
     */
    private int fill(int n) throws IOException {
        int at = (int) (recordOffset - chunkStart);
        if (at + n <= chunkLength) {
            return at;
        }
        int kept = chunkLength - at;
        if (n > chunk.length) {
            byte[] larger = new byte[n];
            System.arraycopy(chunk, at, larger, 0, kept);
            chunk = larger;
            chunkBuffer = ByteBuffer.wrap(larger);
        } else {
            System.arraycopy(chunk, at, chunk, 0, kept);
        }
        chunkStart = recordOffset;
        chunkLength = kept;
        long fileLeft = limit - (chunkStart + kept);
        int want = (int) Math.min(chunk.length - kept, fileLeft);
        chunkBuffer.limit(kept + want).position(kept);
        while (chunkBuffer.hasRemaining()) {
            int read = channel.read(chunkBuffer, chunkStart + chunkBuffer.position());
            if (read < 0) {
                throw new EOFException("segment file ends at " + (chunkStart + chunkBuffer.position())
                        + ", before its expected end " + limit);
            }
        }
        chunkLength = kept + want;
        return 0;
    }

    private static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }
}
