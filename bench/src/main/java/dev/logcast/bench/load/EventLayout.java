package dev.logcast.bench.load;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * The bytes of one published event and where its variable fields sit.
 *
 * <p>The event is {@code {"level":"info","type":"log","source":"loadgen","branch":"B","msg":"<payload>"}}, with the
 * payload {@code ~L} followed by fixed-width lower-case hex: run nonce (4 digits), publisher (4), per-publisher sequence
 * (8) and send time (10, nanoseconds since the run's time base), then {@code x} padding up to the requested event size.
 * Fixed widths keep every event of a run the same length, so requests are pre-encoded once and only the sequence and
 * time digits are patched per send. Subscribers find the payload by scanning for {@code ~L}; hex never needs JSON
 * escaping, so the same bytes arrive through logcast's JSON and through nchan's raw message.
 */
final class EventLayout {

    static final byte MARKER = '~';
    static final byte TAG = 'L';
    static final int NONCE_DIGITS = 4;
    static final int PUBLISHER_DIGITS = 4;
    static final int SEQ_DIGITS = 8;
    static final int TIME_DIGITS = 10;
    static final int PAYLOAD_BYTES = 2 + NONCE_DIGITS + PUBLISHER_DIGITS + SEQ_DIGITS + TIME_DIGITS;
    /** Largest sequence number the payload can carry. */
    static final long MAX_SEQ = (1L << (4 * SEQ_DIGITS)) - 1;
    /** Largest time offset the payload can carry: about 18 minutes, so a run must be shorter. */
    static final long MAX_TIME_NANOS = (1L << (4 * TIME_DIGITS)) - 1;
    static final int MAX_PUBLISHERS = 1 << (4 * PUBLISHER_DIGITS);

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    final byte[] bytes;
    final int seqOffset;
    final int timeOffset;

    private EventLayout(byte[] bytes, int seqOffset, int timeOffset) {
        this.bytes = bytes;
        this.seqOffset = seqOffset;
        this.timeOffset = timeOffset;
    }

    /** Event size with no padding: the floor for {@code --event-bytes}. */
    static int minimumBytes(String branch) {
        return prefix(branch).length() + PAYLOAD_BYTES + 2;
    }

    /** The event for {@code publisher} in a run with {@code nonce}, at least {@code eventBytes} long. */
    static EventLayout of(String branch, int eventBytes, int nonce, int publisher) {
        String prefix = prefix(branch);
        int padding = Math.max(0, eventBytes - minimumBytes(branch));
        StringBuilder text = new StringBuilder(prefix).append((char) MARKER).append((char) TAG);
        text.append("0".repeat(PAYLOAD_BYTES - 2)).append("x".repeat(padding)).append("\"}");
        byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
        int nonceOffset = prefix.length() + 2;
        putHex(bytes, nonceOffset, nonce, NONCE_DIGITS);
        putHex(bytes, nonceOffset + NONCE_DIGITS, publisher, PUBLISHER_DIGITS);
        int seqOffset = nonceOffset + NONCE_DIGITS + PUBLISHER_DIGITS;
        return new EventLayout(bytes, seqOffset, seqOffset + SEQ_DIGITS);
    }

    private static String prefix(String branch) {
        return "{\"level\":\"info\",\"type\":\"log\",\"source\":\"loadgen\",\"branch\":\"" + branch + "\",\"msg\":\"";
    }

    static void putHex(byte[] dst, int offset, long value, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            dst[offset + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }

    static void setHex(ByteBuf dst, int index, long value, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            dst.setByte(index + i, HEX[(int) (value & 0xF)]);
            value >>>= 4;
        }
    }

    /** Value of a lower-case hex digit, or -1. */
    static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        return -1;
    }
}
