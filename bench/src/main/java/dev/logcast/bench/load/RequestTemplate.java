package dev.logcast.bench.load;

import io.netty.buffer.ByteBuf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The pre-encoded bytes of one publish batch (K events) for one publisher connection: for logcast one
 * {@code POST /v1/logs} with K NDJSON lines, for nchan K {@code POST /pub?id=B} requests of one event each, pipelined.
 * Sending copies the template into a pooled buffer and patches the sequence and time digits in place.
 */
final class RequestTemplate {

    final byte[] bytes;
    final int postsPerBatch;
    final int eventsPerPost;
    final int eventsPerBatch;
    private final int[] seqOffsets;
    private final int[] timeOffsets;

    private RequestTemplate(byte[] bytes, int postsPerBatch, int eventsPerPost, int[] seqOffsets, int[] timeOffsets) {
        this.bytes = bytes;
        this.postsPerBatch = postsPerBatch;
        this.eventsPerPost = eventsPerPost;
        this.eventsPerBatch = postsPerBatch * eventsPerPost;
        this.seqOffsets = seqOffsets;
        this.timeOffsets = timeOffsets;
    }

    static RequestTemplate of(LoadConfig config, EventLayout event) {
        int k = config.eventsPerPost();
        int[] seqOffsets = new int[k];
        int[] timeOffsets = new int[k];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (config.target().speaksLogcast()) {
            int bodyLength = k * (event.bytes.length + 1);
            out.writeBytes(head("/v1/logs", config, "Content-Type: application/x-ndjson\r\n", bodyLength));
            for (int i = 0; i < k; i++) {
                seqOffsets[i] = out.size() + event.seqOffset;
                timeOffsets[i] = out.size() + event.timeOffset;
                out.writeBytes(event.bytes);
                out.write('\n');
            }
            return new RequestTemplate(out.toByteArray(), 1, k, seqOffsets, timeOffsets);
        }
        byte[] head = head("/pub?id=" + config.branch(), config, "", event.bytes.length);
        for (int i = 0; i < k; i++) {
            out.writeBytes(head);
            seqOffsets[i] = out.size() + event.seqOffset;
            timeOffsets[i] = out.size() + event.timeOffset;
            out.writeBytes(event.bytes);
        }
        return new RequestTemplate(out.toByteArray(), k, 1, seqOffsets, timeOffsets);
    }

    private static byte[] head(String path, LoadConfig config, String extraHeaders, int contentLength) {
        String auth = config.token() == null ? "" : "Authorization: Bearer " + config.token() + "\r\n";
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + config.hostHeader() + "\r\n" + extraHeaders + auth
                + "Content-Length: " + contentLength + "\r\n\r\n";
        return head.getBytes(StandardCharsets.US_ASCII);
    }

    /** Appends one batch to {@code dst}: events {@code firstSeq .. firstSeq+K-1}, all stamped {@code timeNanos}. */
    void encode(ByteBuf dst, long firstSeq, long timeNanos) {
        int base = dst.writerIndex();
        dst.writeBytes(bytes);
        for (int i = 0; i < seqOffsets.length; i++) {
            EventLayout.setHex(dst, base + seqOffsets[i], firstSeq + i, EventLayout.SEQ_DIGITS);
            EventLayout.setHex(dst, base + timeOffsets[i], timeNanos, EventLayout.TIME_DIGITS);
        }
    }
}
