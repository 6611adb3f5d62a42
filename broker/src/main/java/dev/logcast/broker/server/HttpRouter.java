package dev.logcast.broker.server;

import dev.logcast.broker.auth.AuthResult;
import dev.logcast.broker.auth.Authenticator;
import dev.logcast.broker.auth.Grant;
import dev.logcast.broker.auth.Scope;
import dev.logcast.broker.core.EventFilter;
import dev.logcast.broker.core.QueryParams;
import dev.logcast.broker.ingest.IngestService;
import dev.logcast.broker.metrics.BrokerMetrics;
import dev.logcast.broker.poll.PollService;
import dev.logcast.broker.stream.StreamService;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Routes whole requests to the services: ingest, stream, poll, health and metrics. One request at a time per
 * connection: pipelined requests wait their turn, so answers keep the order of requests (RFC 9112 §9.3.2).
 * Authentication happens here, before any service creates state: {@code /healthz}, {@code /readyz} and CORS
 * preflights need no token; {@code /v1/logs} needs {@code write}; {@code /v1/stream} and {@code /v1/poll} need
 * {@code read}, and see only what the grant's branch and type limits allow ({@link Grant#narrow});
 * {@code /metrics} needs {@code read} without limits, or {@code admin} (it counts every branch). CORS headers
 * ({@link CorsPolicy}) go on every answer to an allowed origin, the stream's head included.
 *
 * <pre>
 * p.addLast("aggregator", new BodyLimitAggregator(maxBody));
 * p.addLast("router", new HttpRouter(services, deadline));
 * </pre>
 *
 * <p><b>Owner:</b> the channel's event loop. Not sharable.
 */
final class HttpRouter extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(HttpRouter.class.getName());
    private final Services services;
    private final HttpDeadlineHandler deadline;
    /** Verdicts of {@link WriteAuthHandler} on ingest requests, in request order. */
    private final ArrayDeque<AuthResult> writeVerdicts;
    /** Pipelined requests held before the connection stops reading (each is at most ingest.max.body). */
    private static final int MAX_PIPELINED = 16;
    private final ArrayDeque<FullHttpRequest> pipelined = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;
    private boolean busy;
    private boolean head;
    private boolean streaming;
    private Runnable onClose;
    /** The CORS headers of the request being answered, or {@code null}. */
    private HttpHeaders corsHeaders;

    HttpRouter(Services services, HttpDeadlineHandler deadline, ArrayDeque<AuthResult> writeVerdicts) {
        this.services = services;
        this.deadline = deadline;
        this.writeVerdicts = writeVerdicts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        if (streaming) {
            request.release();
            return;
        }
        // answers keep the order of requests: a new one waits behind every one still queued
        pipelined.add(request);
        if (pipelined.size() >= MAX_PIPELINED && ctx.channel().config().isAutoRead()) {
            // a client far ahead of its answers: stop reading until the queue is worked down
            ctx.channel().config().setAutoRead(false);
        }
        processQueued();
    }

    /** Works through queued requests until one is left waiting for an asynchronous answer. */
    private void processQueued() {
        FullHttpRequest next;
        while (!busy && !streaming && ctx.channel().isActive() && (next = pipelined.poll()) != null) {
            process(next);
        }
        if (pipelined.size() < MAX_PIPELINED / 2 && !streaming && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void process(FullHttpRequest request) {
        busy = true;
        deadline.busy();
        try {
            route(request);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request failed: " + request.method() + " " + safePath(request.uri()), e);
            if (busy && !streaming) {
                respond(Responses.error(ctx.channel(), HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        "internal error", null), false);
            }
        } finally {
            request.release();
        }
    }

    private void route(FullHttpRequest request) {
        Channel channel = ctx.channel();
        DecoderResult result = request.decoderResult();
        if (!result.isSuccess()) {
            rejectUndecodable(result.cause());
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !services.draining();
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String path = query.path();
        HttpMethod method = request.method();
        head = method.equals(HttpMethod.HEAD);
        corsHeaders = services.cors().responseHeaders(request.headers().get(HttpHeaderNames.ORIGIN));
        if (CorsPolicy.isPreflight(request)) {
            corsHeaders = null;
            respond(services.cors().preflight(channel, request), keepAlive);
            return;
        }
        switch (path) {
            case "/healthz" -> {
                if (isGetOrHead(method)) {
                    respond(Responses.text(HttpResponseStatus.OK, "ok\n"), keepAlive);
                } else {
                    methodNotAllowed("GET, HEAD", keepAlive);
                }
            }
            case "/readyz" -> {
                if (isGetOrHead(method)) {
                    respond(services.draining()
                            ? Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "shutting down\n")
                            : Responses.text(HttpResponseStatus.OK, "ready\n"), keepAlive);
                } else {
                    methodNotAllowed("GET, HEAD", keepAlive);
                }
            }
            case "/metrics" -> {
                if (isGetOrHead(method)) {
                    metrics(request, query, keepAlive);
                } else {
                    methodNotAllowed("GET, HEAD", keepAlive);
                }
            }
            case "/v1/logs" -> {
                if (method.equals(HttpMethod.POST)) {
                    ingest(request, query, keepAlive);
                } else {
                    methodNotAllowed("POST", keepAlive);
                }
            }
            case "/v1/stream" -> {
                if (method.equals(HttpMethod.GET)) {
                    stream(request, query, keepAlive);
                } else {
                    methodNotAllowed("GET", keepAlive);
                }
            }
            case "/v1/poll" -> {
                if (method.equals(HttpMethod.GET)) {
                    poll(request, query, keepAlive);
                } else {
                    methodNotAllowed("GET", keepAlive);
                }
            }
            default -> respond(Responses.error(channel, HttpResponseStatus.NOT_FOUND,
                    "no such endpoint: " + safePath(path), null), keepAlive);
        }
    }

    private void metrics(FullHttpRequest request, QueryStringDecoder query, boolean keepAlive) {
        AuthResult auth = authenticate(request, query.parameters(), Scope.READ, keepAlive);
        if (auth == null) {
            return;
        }
        Grant grant = auth.grant();
        if (!grant.isUnlimited() && !grant.allows(Scope.ADMIN)) {
            forbidden("the metrics count every branch; a token limited to some branches or types cannot read "
                    + "them", "metrics_limited", keepAlive);
            return;
        }
        respond(Responses.response(HttpResponseStatus.OK, BrokerMetrics.contentType(),
                Unpooled.wrappedBuffer(services.metrics().scrape())), keepAlive);
    }

    private void ingest(FullHttpRequest request, QueryStringDecoder query, boolean keepAlive) {
        // WriteAuthHandler judged the headers before the body was read; its verdicts come in request order
        AuthResult verdict = writeVerdicts.poll();
        AuthResult auth = verdict == null ? authenticate(request, query.parameters(), Scope.WRITE, keepAlive)
                : verdict.isGranted() ? verdict : refuse(verdict, keepAlive);
        if (auth == null) {
            return;
        }
        if (services.draining()) {
            shed(keepAlive);
            return;
        }
        services.ingest().handle(ctx.channel(), request, auth.grant(), response -> {
            respond(response, keepAlive);
        });
    }

    private void stream(FullHttpRequest request, QueryStringDecoder query, boolean keepAlive) {
        Map<String, List<String>> params = query.parameters();
        AuthResult auth = authenticate(request, params, Scope.READ, keepAlive);
        if (auth == null) {
            return;
        }
        EventFilter filter;
        long resume;
        long tail;
        try {
            filter = EventFilter.fromQuery(params);
            resume = StreamService.resumePoint(request.headers(), params);
            tail = QueryParams.parseCount(params, "tail", 0, Long.MAX_VALUE);
        } catch (IllegalArgumentException e) {
            badRequest(e.getMessage(), keepAlive);
            return;
        }
        filter = narrow(auth.grant(), filter, keepAlive);
        if (filter == null) {
            return;
        }
        if (services.draining()) {
            shed(keepAlive);
            return;
        }
        streaming = true;
        busy = false;
        deadline.idle();
        releasePipelined();
        HttpHeaders cors = corsHeaders;
        corsHeaders = null;
        services.stream().open(ctx.channel(), request, filter, resume, tail, cors);
        closeAtExpiry(ctx.channel(), auth.grant().validUntilMillis());
    }

    /**
     * A stream outlives no token: at its expiry (with the skew leeway) the broker says so in a comment and closes;
     * the client reconnects with a fresh token and Last-Event-ID, and loses nothing.
     */
    private static void closeAtExpiry(Channel channel, long validUntilMillis) {
        if (validUntilMillis == Long.MAX_VALUE) {
            return;
        }
        long delayMs = Math.max(0, validUntilMillis - System.currentTimeMillis());
        ScheduledFuture<?> expiry = channel.eventLoop().schedule(() -> {
            ByteBuf goodbye = Unpooled.copiedBuffer(": token expired; reconnect with a new token\n\n",
                    StandardCharsets.US_ASCII);
            channel.writeAndFlush(goodbye).addListener(ChannelFutureListener.CLOSE);
        }, delayMs, TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(f -> expiry.cancel(false));
    }

    /** The filter within the grant's limits; {@code null} (after a 403) when it could only see forbidden events. */
    private EventFilter narrow(Grant grant, EventFilter filter, boolean keepAlive) {
        EventFilter narrowed = grant.narrow(filter);
        if (narrowed == null) {
            forbidden("the token may not read any of the branches or types asked for", "forbidden_branch",
                    keepAlive);
        }
        return narrowed;
    }

    private void poll(FullHttpRequest request, QueryStringDecoder query, boolean keepAlive) {
        Map<String, List<String>> params = query.parameters();
        AuthResult auth = authenticate(request, params, Scope.READ, keepAlive);
        if (auth == null) {
            return;
        }
        PollService.PollRequest poll;
        EventFilter filter;
        try {
            filter = EventFilter.fromQuery(params);
            poll = PollService.PollRequest.parse(params, filter);
        } catch (IllegalArgumentException e) {
            badRequest(e.getMessage(), keepAlive);
            return;
        }
        EventFilter narrowed = narrow(auth.grant(), filter, keepAlive);
        if (narrowed == null) {
            return;
        }
        if (narrowed != filter) {
            poll = new PollService.PollRequest(narrowed, poll.after(), poll.tail(), poll.limit(), poll.waitMs());
        }
        onClose = services.poll().start(ctx.channel(), poll, null, response -> {
            onClose = null;
            respond(response, keepAlive && !services.draining());
        });
    }

    private AuthResult authenticate(FullHttpRequest request, Map<String, List<String>> params, Scope scope,
                                    boolean keepAlive) {
        Authenticator authenticator = services.authenticator();
        AuthResult result = authenticator.authenticate(request, params, scope, ctx.channel().remoteAddress());
        if (result.isGranted()) {
            return result;
        }
        return refuse(result, keepAlive);
    }

    /** Answers a refused authentication (401, 403 or 429 with its headers); always {@code null}. */
    private AuthResult refuse(AuthResult result, boolean keepAlive) {
        services.metrics().authFailed(result.reason());
        FullHttpResponse response = Responses.error(ctx.channel(), result.status(), result.error(), null);
        if (result.challenge() != null) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, result.challenge());
        }
        if (result.retryAfterSeconds() > 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(result.retryAfterSeconds()));
        }
        respond(response, keepAlive);
        return null;
    }

    /** 403 for a valid token that may not do what the request asks. */
    private void forbidden(String error, String reason, boolean keepAlive) {
        services.metrics().authFailed(reason);
        FullHttpResponse response = Responses.error(ctx.channel(), HttpResponseStatus.FORBIDDEN, error, null);
        response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\"");
        respond(response, keepAlive);
    }

    private void rejectUndecodable(Throwable cause) {
        HttpResponseStatus status;
        String error;
        if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
            error = "request line too long";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            error = "request headers too large";
        } else if (cause instanceof TooLongFrameException) {
            status = HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
            error = "request too large";
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
            error = "malformed HTTP request: " + cause.getMessage();
        }
        services.metrics().rejected("bad_http");
        respond(Responses.error(ctx.channel(), status, error, null), false);
    }

    private void badRequest(String error, boolean keepAlive) {
        services.metrics().rejected("bad_request");
        respond(Responses.error(ctx.channel(), HttpResponseStatus.BAD_REQUEST, error, null), keepAlive);
    }

    private void shed(boolean keepAlive) {
        services.metrics().rejected("shutting_down");
        FullHttpResponse response = Responses.error(ctx.channel(), HttpResponseStatus.SERVICE_UNAVAILABLE,
                "the broker is shutting down", null);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        respond(response, false);
    }

    private void methodNotAllowed(String allow, boolean keepAlive) {
        FullHttpResponse response = Responses.error(ctx.channel(), HttpResponseStatus.METHOD_NOT_ALLOWED,
                "method not allowed; use " + allow, null);
        response.headers().set(HttpHeaderNames.ALLOW, allow);
        respond(response, keepAlive);
    }

    /** Sends the answer to the current request and moves on to the next pipelined one. */
    private void respond(FullHttpResponse response, boolean keepAlive) {
        Channel channel = ctx.channel();
        if (!channel.isActive()) {
            response.release();
            return;
        }
        if (corsHeaders != null) {
            response.headers().add(corsHeaders);
            corsHeaders = null;
        }
        if (head) {
            // RFC 9110 §9.3.2: the same head as GET, no body
            int length = response.content().readableBytes();
            FullHttpResponse withBody = response;
            response = withBody.replace(Unpooled.EMPTY_BUFFER);
            withBody.release();
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        Responses.send(channel, response, keepAlive);
        busy = false;
        if (keepAlive) {
            deadline.idle();
            if (!pipelined.isEmpty()) {
                // later, not from inside the request that answered (which may still be on the stack)
                channel.eventLoop().execute(this::processQueued);
            }
        } else {
            releasePipelined();
        }
    }

    private void releasePipelined() {
        FullHttpRequest r;
        while ((r = pipelined.poll()) != null) {
            r.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePipelined();
        Runnable r = onClose;
        onClose = null;
        if (r != null) {
            r.run();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private static boolean isGetOrHead(HttpMethod method) {
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
    }

    /** The path without its query: tokens travel in {@code access_token} and never reach a log. */
    static String safePath(String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        return path.length() > 200 ? path.substring(0, 200) + "..." : path;
    }
}
