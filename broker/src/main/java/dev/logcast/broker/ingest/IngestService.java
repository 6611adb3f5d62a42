package dev.logcast.broker.ingest;

import dev.logcast.broker.auth.AuthResult;
import dev.logcast.broker.auth.Grant;
import dev.logcast.broker.core.IngestBatch;
import dev.logcast.broker.core.Sequencer;
import dev.logcast.broker.metrics.BrokerMetrics;
import dev.logcast.broker.server.Responses;
import dev.logcast.protocol.EventLimits;
import dev.logcast.protocol.LogEvent;
import dev.logcast.protocol.ingest.IngestException;
import dev.logcast.protocol.ingest.NativeDecoder;
import dev.logcast.protocol.ingest.OtlpDecoder;
import dev.logcast.protocol.ingest.OtlpResponses;
import dev.logcast.protocol.ingest.OtlpResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code POST /v1/logs}: native JSON, NDJSON and OTLP/HTTP logs (protobuf and JSON), each optionally gzip. The
 * body is decoded and validated on the connection's event loop (a batch is atomic: one bad event rejects it all),
 * then offered to the sequencer; the answer goes out when the sequencer has given the events their ids. When the
 * sequencer's queue is over its bound the request is shed with 503 and {@code Retry-After}. A token limited to
 * some branches or types may write only those: one event outside them refuses the whole request with 403 and
 * nothing of it is stored; a token's {@code src} becomes every event's source. Thread-safe; one per broker.
 */
public final class IngestService {
    private static final String RETRY_AFTER_SECONDS = "1";

    enum Format { JSON, NDJSON, OTLP_PROTOBUF, OTLP_JSON }

    private final Sequencer sequencer;
    private final EventLimits limits;
    private final BrokerMetrics metrics;
    private final BodyMemory memory;

    public IngestService(Sequencer sequencer, EventLimits limits, BrokerMetrics metrics) {
        this(sequencer, limits, metrics, BodyMemory.UNBOUNDED);
    }

    public IngestService(Sequencer sequencer, EventLimits limits, BrokerMetrics metrics, BodyMemory memory) {
        this.sequencer = sequencer;
        this.limits = limits;
        this.metrics = metrics;
        this.memory = memory;
    }

    /**
     * Handles one whole request on its channel's loop. {@code respond} is called exactly once, on the loop.
     */
    public void handle(Channel channel, FullHttpRequest request, Grant grant, Consumer<FullHttpResponse> respond) {
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        Format format = format(contentType);
        if (format == null) {
            reject(channel, respond, null, 415, (contentType == null ? "no Content-Type"
                    : "unsupported Content-Type \"" + contentType + "\"")
                    + "; use application/json, application/x-ndjson or application/x-protobuf (OTLP)", null,
                    "unsupported_media_type");
            return;
        }
        CharSequence charset = HttpUtil.getCharsetAsSequence(contentType);
        if (charset != null && format != Format.OTLP_PROTOBUF && !isUtf8(charset)) {
            // JSON is UTF-8 (RFC 8259 §8.1): a body declared in another charset would be read wrongly
            reject(channel, respond, format, 415, "unsupported charset \"" + charset + "\"; send UTF-8", null,
                    "unsupported_media_type");
            return;
        }
        String encoding = request.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        Boolean gzip = isGzip(encoding);
        if (gzip == null) {
            reject(channel, respond, format, 415, "unsupported Content-Encoding \"" + encoding + "\"; use gzip",
                    null, "unsupported_encoding");
            return;
        }
        long received = System.currentTimeMillis();
        ByteBuf body = request.content();
        ByteBuf inflated = null;
        try {
            if (gzip) {
                inflated = GzipBody.inflate(channel.alloc(), body, limits.maxBodyBytes());
                // the inflated bytes (and the events decoded from them) count against the broker's body memory
                // until the answer: a few kilobytes of gzip can be megabytes of events
                long inflatedBytes = inflated.readableBytes();
                if (!memory.tryReserve(inflatedBytes)) {
                    overloaded(channel, respond, format, "the broker is holding as many request bodies as it can");
                    return;
                }
                Consumer<FullHttpResponse> answer = respond;
                respond = response -> {
                    memory.release(inflatedBytes);
                    answer.accept(response);
                };
                body = inflated;
            }
            if (format == Format.JSON && NativeDecoder.isOtlpJson(body)) {
                format = Format.OTLP_JSON;
            }
            switch (format) {
                case JSON -> submitNative(channel, respond, grant,
                        NativeDecoder.decodeJson(body, limits, received), received);
                case NDJSON -> submitNative(channel, respond, grant,
                        NativeDecoder.decodeNdjson(body, limits, received), received);
                case OTLP_PROTOBUF -> submitOtlp(channel, respond, grant, true,
                        OtlpDecoder.decodeProtobuf(body, limits, received), received);
                case OTLP_JSON -> submitOtlp(channel, respond, grant, false,
                        OtlpDecoder.decodeJson(body, limits, received), received);
                default -> throw new IllegalStateException(format.name());
            }
        } catch (IngestException e) {
            reject(channel, respond, format, e.status(), e.error(), e.index(),
                    e.status() == 413 ? "too_large" : "bad_request");
        } finally {
            if (inflated != null) {
                inflated.release();
            }
        }
    }

    /**
     * Whether a body with this {@code Content-Encoding} is gzip: the codings listed (RFC 9110 §8.4), {@code identity}
     * being none; {@code null} when it is anything but nothing or one gzip.
     */
    static Boolean isGzip(String encoding) {
        if (encoding == null) {
            return false;
        }
        int gzips = 0;
        for (String coding : encoding.split(",", -1)) {
            String c = coding.strip();
            if (c.isEmpty() || c.equalsIgnoreCase("identity")) {
                continue;
            }
            if (!c.equalsIgnoreCase("gzip") && !c.equalsIgnoreCase("x-gzip")) {
                return null;
            }
            gzips++;
        }
        return gzips > 1 ? null : gzips == 1;
    }

    private static boolean isUtf8(CharSequence charset) {
        String name = charset.toString().trim();
        if (name.length() > 1 && name.startsWith("\"") && name.endsWith("\"")) {
            name = name.substring(1, name.length() - 1);
        }
        return name.equalsIgnoreCase("utf-8") || name.equalsIgnoreCase("utf8");
    }

    /** Whether {@code contentType} is OTLP's protobuf, whose errors are {@code google.rpc.Status} messages. */
    public static boolean isProtobuf(String contentType) {
        return format(contentType) == Format.OTLP_PROTOBUF;
    }

    static Format format(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semi = contentType.indexOf(';');
        String media = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return switch (media) {
            case "application/json" -> Format.JSON;
            case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines" ->
                    Format.NDJSON;
            case "application/x-protobuf", "application/protobuf" -> Format.OTLP_PROTOBUF;
            default -> null;
        };
    }

    private void submitNative(Channel channel, Consumer<FullHttpResponse> respond, Grant grant,
                              List<LogEvent> events, long received) {
        int unwritable = grant.firstUnwritable(events);
        if (unwritable >= 0) {
            forbidden(channel, respond, Format.JSON, "event " + unwritable + ": "
                    + grant.whyUnwritable(events.get(unwritable)), unwritable);
            return;
        }
        List<LogEvent> pinned = pin(events, grant);
        if (pinned.isEmpty()) {
            answer(respond, 202, nativeAccepted(0, 0, 0));
            return;
        }
        offer(channel, respond, new PendingIngest(pinned, received, channel, respond) {
            @Override
            FullHttpResponse success() {
                return Responses.response(HttpResponseStatus.ACCEPTED, Responses.JSON,
                        nativeAccepted(size(), firstId(), lastId()));
            }
        });
    }

    private void submitOtlp(Channel channel, Consumer<FullHttpResponse> respond, Grant grant, boolean protobuf,
                            OtlpResult result, long received) {
        int unwritable = grant.firstUnwritable(result.accepted());
        if (unwritable >= 0) {
            // OTLP's rejected records are left out of accepted(): no index that the client could map back
            forbidden(channel, respond, protobuf ? Format.OTLP_PROTOBUF : Format.OTLP_JSON, "a log record: "
                    + grant.whyUnwritable(result.accepted().get(unwritable)), null);
            return;
        }
        if (result.rejected() > 0) {
            metrics.otlpRecordsRejected(result.rejected());
        }
        List<LogEvent> pinned = pin(result.accepted(), grant);
        if (pinned.isEmpty()) {
            respond.accept(otlpSuccess(protobuf, result));
            metrics.ingestAnswered(200);
            return;
        }
        offer(channel, respond, new PendingIngest(pinned, received, channel, respond) {
            @Override
            FullHttpResponse success() {
                return otlpSuccess(protobuf, result);
            }

            @Override
            boolean protobuf() {
                return protobuf;
            }
        });
    }

    private static FullHttpResponse otlpSuccess(boolean protobuf, OtlpResult result) {
        byte[] body = protobuf ? OtlpResponses.successProtobuf(result) : OtlpResponses.successJson(result);
        return Responses.response(HttpResponseStatus.OK, protobuf ? Responses.PROTOBUF : Responses.JSON,
                Unpooled.wrappedBuffer(body));
    }

    private static List<LogEvent> pin(List<LogEvent> events, Grant grant) {
        String src = grant.pinnedSource();
        if (src == null) {
            return events;
        }
        List<LogEvent> out = new ArrayList<>(events.size());
        for (LogEvent e : events) {
            out.add(e.source().equals(src) ? e : e.withSource(src));
        }
        return out;
    }

    private void offer(Channel channel, Consumer<FullHttpResponse> respond, PendingIngest pending) {
        if (!sequencer.offer(pending, channel.eventLoop())) {
            metrics.rejected("overloaded");
            metrics.ingestAnswered(503);
            FullHttpResponse response = Responses.error(channel, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "the broker is overloaded; retry later", null);
            response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
            respond.accept(response);
        }
    }

    private void overloaded(Channel channel, Consumer<FullHttpResponse> respond, Format format, String why) {
        metrics.rejected("overloaded");
        metrics.ingestAnswered(503);
        respond.accept(unavailable(channel, format == Format.OTLP_PROTOBUF, why + "; retry later"));
    }

    /** 503 + {@code Retry-After}, as a {@code google.rpc.Status} for an OTLP protobuf request. */
    private static FullHttpResponse unavailable(Channel channel, boolean protobuf, String error) {
        FullHttpResponse response = protobuf
                ? Responses.response(HttpResponseStatus.SERVICE_UNAVAILABLE, Responses.PROTOBUF,
                        Unpooled.wrappedBuffer(OtlpResponses.status(503, error)))
                : Responses.error(channel, HttpResponseStatus.SERVICE_UNAVAILABLE, error, null);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        return response;
    }

    private void forbidden(Channel channel, Consumer<FullHttpResponse> respond, Format format, String error,
                           Integer index) {
        metrics.authFailed("forbidden_write");
        reject(channel, response -> {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, AuthResult.INSUFFICIENT_SCOPE);
            respond.accept(response);
        }, format, 403, error, index, "forbidden");
    }

    private void reject(Channel channel, Consumer<FullHttpResponse> respond, Format format, int status,
                        String error, Integer index, String reason) {
        metrics.rejected(reason);
        metrics.ingestAnswered(status);
        HttpResponseStatus httpStatus = HttpResponseStatus.valueOf(status);
        if (format == Format.OTLP_PROTOBUF) {
            respond.accept(Responses.response(httpStatus, Responses.PROTOBUF,
                    Unpooled.wrappedBuffer(OtlpResponses.status(status, error))));
        } else {
            respond.accept(Responses.error(channel, httpStatus, error, index));
        }
    }

    private void answer(Consumer<FullHttpResponse> respond, int status, ByteBuf body) {
        metrics.ingestAnswered(status);
        respond.accept(Responses.response(HttpResponseStatus.valueOf(status), Responses.JSON, body));
    }

    static ByteBuf nativeAccepted(int accepted, long first, long last) {
        String text = accepted == 0
                ? "{\"accepted\":0,\"first\":null,\"last\":null}"
                : "{\"accepted\":" + accepted + ",\"first\":\"" + Long.toUnsignedString(first) + "\",\"last\":\""
                        + Long.toUnsignedString(last) + "\"}";
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * A batch waiting for the sequencer. {@link #onSequenced()} runs on the sequencer thread and moves the
     * answer to the channel's loop.
     */
    private abstract class PendingIngest extends IngestBatch implements Runnable {
        private final Channel channel;
        private final Consumer<FullHttpResponse> respond;
        private boolean dropped;

        /** Whether the request was OTLP protobuf, whose 503 carries a {@code google.rpc.Status}. */
        boolean protobuf() {
            return false;
        }

        PendingIngest(List<LogEvent> events, long received, Channel channel, Consumer<FullHttpResponse> respond) {
            super(events, received);
            this.channel = channel;
            this.respond = respond;
        }

        abstract FullHttpResponse success();

        @Override
        protected void onSequenced() {
            metrics.ingested(size());
            channel.eventLoop().execute(this);
        }

        @Override
        protected void onDropped() {
            dropped = true;
            channel.eventLoop().execute(this);
        }

        @Override
        public void run() {
            if (dropped) {
                metrics.ingestAnswered(503);
                // why: the broker stopping, or the journal failing to store the events (a full disk)
                String reason = dropReason();
                reason = reason.endsWith("retry later") ? reason : reason + "; retry later";
                respond.accept(unavailable(channel, protobuf(), reason));
                return;
            }
            FullHttpResponse response = success();
            metrics.ingestAnswered(response.status().code());
            respond.accept(response);
        }
    }
}
