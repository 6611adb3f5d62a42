package dev.logcast.broker.stream;

import dev.logcast.broker.core.EventFilter;
import dev.logcast.broker.core.QueryParams;
import dev.logcast.broker.core.Sequencer;
import dev.logcast.broker.core.Shard;
import dev.logcast.broker.core.ShardMap;
import dev.logcast.broker.core.SseFrames;
import dev.logcast.broker.metrics.BrokerMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.compression.JdkZlibEncoder;
import io.netty.handler.codec.compression.ZlibEncoder;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/stream}: turns an HTTP connection into a Server-Sent-Events stream (WHATWG HTML §9.2). The
 * response has no Content-Length and no chunking: its body runs until the connection closes (RFC 9112 §6.3), so
 * the shared SSE frames go to the socket as they are, with no per-subscriber framing. Stateless; one per broker.
 */
public final class StreamService {
    /** Outbound bytes over which a stream counts as not keeping up (its events wait in the shard instead). */
    private static final long WRITABLE_BYTES = 256 * 1024;
    /** The kernel send buffer of a stream's socket. */
    private static final int SOCKET_SEND_BYTES = 128 * 1024;
    private static final AsciiString EVENT_STREAM = AsciiString.cached("text/event-stream; charset=utf-8");
    private static final AsciiString NO_CACHE = AsciiString.cached("no-cache");
    private static final AsciiString X_ACCEL_BUFFERING = AsciiString.cached("x-accel-buffering");
    private static final AsciiString NO = AsciiString.cached("no");
    private static final AsciiString GZIP = AsciiString.cached("gzip");

    private final ShardMap shards;
    private final Sequencer sequencer;
    private final BrokerMetrics metrics;
    private final long retryMs;
    private final long maxPendingBytes;
    private final int ticksPerHeartbeat;
    private final boolean gzipEnabled;

    public StreamService(ShardMap shards, Sequencer sequencer, BrokerMetrics metrics, long retryMs,
                         long maxPendingBytes, int ticksPerHeartbeat, boolean gzipEnabled) {
        this.shards = shards;
        this.sequencer = sequencer;
        this.metrics = metrics;
        this.retryMs = retryMs;
        this.maxPendingBytes = maxPendingBytes;
        this.ticksPerHeartbeat = ticksPerHeartbeat;
        this.gzipEnabled = gzipEnabled;
    }

    /**
     * The resume point of a stream request: the {@code Last-Event-ID} header, else the {@code lastEventId}
     * parameter, else {@code -1}.
     *
     * @throws IllegalArgumentException when the id is not a decimal event id
     */
    public static long resumePoint(HttpHeaders headers, Map<String, List<String>> params) {
        String header = headers.get("last-event-id");
        if (header != null && !header.isBlank()) {
            return QueryParams.parseId(header, "header \"Last-Event-ID\"");
        }
        String param = QueryParams.single(params, "lastEventId");
        if (param != null && !param.isBlank()) {
            return QueryParams.parseId(param, "parameter \"lastEventId\"");
        }
        return -1;
    }

    /**
     * Closes a stream when its client shuts its sending side (connections allow half-closure), and ends its gzip
     * encoder when the connection closes, whoever closed it. Netty's {@link JdkZlibEncoder} frees its
     * {@code Deflater}'s native memory (about 256 KiB) only when a close goes through it; a stream that its client
     * closes, or that is cut off at the transport, would leave that to the collection of the encoder, and a broker
     * whose browsers reconnect all day grew by gigabytes before one came. Stateless.
     */
    @ChannelHandler.Sharable
    static final class CloseOnInputShutdown extends ChannelInboundHandlerAdapter {
        static final CloseOnInputShutdown INSTANCE = new CloseOnInputShutdown();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ZlibEncoder zlib = ctx.pipeline().get(ZlibEncoder.class);
            if (zlib != null && !zlib.isClosed()) {
                // finishes the deflate stream and ends the Deflater; its trailer's write fails on the closed channel
                zlib.close();
            }
            ctx.fireChannelInactive();
        }
    }

    /**
     * The answer to {@code HEAD /v1/stream}: the head a GET would get (RFC 9110 §9.3.2), no body, and no stream
     * opened; the connection stays open for the next request.
     */
    public FullHttpResponse head(HttpRequest request) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        streamHeaders(response.headers(), gzipFor(request));
        return response;
    }

    /** Whether the stream answering {@code request} is gzip: enabled, and accepted by the client. */
    private boolean gzipFor(HttpRequest request) {
        return gzipEnabled && acceptsGzip(request.headers().get(HttpHeaderNames.ACCEPT_ENCODING));
    }

    /** With gzip enabled the answer depends on Accept-Encoding either way: {@code Vary} says so to caches. */
    private void streamHeaders(HttpHeaders h, boolean gzip) {
        h.set(HttpHeaderNames.CONTENT_TYPE, EVENT_STREAM);
        h.set(HttpHeaderNames.CACHE_CONTROL, NO_CACHE);
        h.set(X_ACCEL_BUFFERING, NO);
        if (gzip) {
            h.set(HttpHeaderNames.CONTENT_ENCODING, GZIP);
        }
        if (gzipEnabled) {
            h.set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
        }
    }

    /**
     * Takes the connection over: writes the response head and the preamble, replaces the HTTP handlers with the
     * stream's, and joins the channel's shard. On the channel's event loop. Parameter checks happen before, so
     * this cannot fail with a status.
     *
     * @param resumeAfter the resume point, or -1
     * @param tail        the {@code tail} count, or -1
     * @param extraHeaders headers to add to the response (CORS), or {@code null}
     */
    public void open(Channel channel, HttpRequest request, EventFilter filter, long resumeAfter, long tail,
                     HttpHeaders extraHeaders) {
        boolean gzip = gzipFor(request);
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpHeaders h = response.headers();
        streamHeaders(h, gzip);
        h.set(HttpHeaderNames.CONNECTION, HttpHeaders.Values.CLOSE);
        // HTTP/1.1 clients get the body in chunks (one per batch), HTTP/1.0 ones until the close
        boolean chunked = request.protocolVersion().minorVersion() >= 1;
        if (chunked) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (extraHeaders != null) {
            h.add(extraHeaders);
        }
        channel.write(response, channel.voidPromise());

        ChannelPipeline p = channel.pipeline();
        for (String name : List.copyOf(p.names())) {
            ChannelHandler handler = p.get(name);
            if (handler != null && !name.startsWith("ssl")) {
                p.remove(name);
            }
        }
        // the connection allows half-closure (for the answers of ingest and polls): a stream ends with its client
        p.addLast("closed-by-client", CloseOnInputShutdown.INSTANCE);
        // writable = the socket takes what is written: over the high mark the shard holds the stream's events back
        // (shared, no copy) and the stream overflows only when what it owes reaches stream.max.pending
        int high = (int) Math.max(1, Math.min(WRITABLE_BYTES, maxPendingBytes / 2));
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
        // and the kernel's share stays small too (its autotuning would let a stalled reader queue megabytes there,
        // where the broker can neither see nor bound it)
        channel.config().setOption(ChannelOption.SO_SNDBUF, SOCKET_SEND_BYTES);
        Shard shard = shards.shardFor(channel.eventLoop());
        StreamSubscriber subscriber = new StreamSubscriber(channel, shard, sequencer, filter, maxPendingBytes,
                ticksPerHeartbeat, gzip, metrics);
        if (chunked) {
            p.addLast(ChunkedFraming.NAME, ChunkedFraming.INSTANCE);
        }
        if (gzip) {
            p.addLast("zlib", new JdkZlibEncoder(ZlibWrapper.GZIP, 6));
        }
        p.addLast("stream", new StreamHandler(subscriber));
        channel.write(SseFrames.preamble(channel.alloc(), retryMs), channel.voidPromise());
        boolean replay = resumeAfter >= 0 || tail > 0;
        // joins the shard before the client can see the head: the sequencer hands batches only to shards with
        // members, so an event posted as soon as the head arrived (from another loop) was lost to this stream when
        // the head went out first
        subscriber.start(resumeAfter, resumeAfter >= 0 ? -1 : tail, replay);
        channel.flush();
        channel.config().setAutoRead(true);
    }

    /** RFC 9110 §12.5.3: gzip is acceptable unless absent or given q=0. */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.split(",")) {
            String[] pieces = part.trim().split(";");
            String coding = pieces[0].trim();
            if (coding.equalsIgnoreCase("gzip") || coding.equalsIgnoreCase("x-gzip")) {
                for (int i = 1; i < pieces.length; i++) {
                    String param = pieces[i].trim();
                    if (param.startsWith("q=") || param.startsWith("Q=")) {
                        try {
                            return Double.parseDouble(param.substring(2).trim()) > 0;
                        } catch (NumberFormatException e) {
                            return false;
                        }
                    }
                }
                return true;
            }
        }
        return false;
    }
}
