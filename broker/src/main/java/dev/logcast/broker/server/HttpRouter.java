package dev.logcast.broker.server;

import dev.logcast.broker.auth.AuthResult;
import dev.logcast.broker.auth.Authenticator;
import dev.logcast.broker.auth.Grant;
import dev.logcast.broker.auth.Scope;
import dev.logcast.broker.core.EventFilter;
import dev.logcast.broker.core.IoLoops;
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
import io.netty.channel.SingleThreadEventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
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
 * Routes whole requests to the services: ingest, stream, poll, health and metrics. Pipelined ingest requests of a
 * connection are worked on together (up to {@value #MAX_CONCURRENT_INGEST}); any other request runs alone. Answers
 * keep the order of requests (RFC 9112 §9.3.2) and are flushed once per event-loop iteration.
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
    /** Ingest requests of one connection that may be in the sequencer (or the journal) at once. */
    private static final int MAX_CONCURRENT_INGEST = 16;
    /** Started requests whose answers are not written yet, in request order. */
    private final ArrayDeque<Answer> answers = new ArrayDeque<>(4);
    /** The request being routed right now (its synchronous part), or {@code null}. */
    private Answer current;
    /** Started requests other than ingest that are not answered yet: they run alone. */
    private int exclusive;
    /** A non-keep-alive answer went out: nothing after it is answered. */
    private boolean closing;
    /**
     * The client shut its sending side (a half-close, or the FIN of a full close): what it sent is answered, then
     * the connection closes.
     */
    private boolean inputShutdown;
    private boolean streaming;
    private boolean flushScheduled;
    private final Runnable flushTask = () -> {
        flushScheduled = false;
        ctx.flush();
    };
    /** The poll this connection waits for, if any. */
    private PollService.Pending pendingPoll;

    /**
     * The answer slot of one started request. Ingest requests of a connection are worked on together (their events
     * wait for the sequencer and the journal, not for each other); their answers still go out in request order.
     */
    private static final class Answer {
        final boolean ingest;
        boolean head;
        /** An HTTP/1.0 request: a kept-alive answer says so ({@code Connection: keep-alive}, RFC 9112 §9.3). */
        boolean http10;
        /** The CORS headers for this answer, or {@code null}. */
        HttpHeaders cors;
        FullHttpResponse response;
        boolean keepAlive;
        boolean answered;

        Answer(boolean ingest) {
            this.ingest = ingest;
        }
    }

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

    /**
     * Starts queued requests while they may start: ingest requests next to other ingest requests (up to
     * {@link #MAX_CONCURRENT_INGEST}), anything else only alone.
     */
    private void processQueued() {
        FullHttpRequest next;
        while (!streaming && !closing && ctx.channel().isActive() && (next = pipelined.peek()) != null
                && mayStart(next)) {
            pipelined.poll();
            process(next);
        }
        if (pipelined.size() < MAX_PIPELINED / 2 && !streaming && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private boolean mayStart(FullHttpRequest request) {
        if (answers.isEmpty()) {
            return true;
        }
        return exclusive == 0 && answers.size() < MAX_CONCURRENT_INGEST && isIngest(request);
    }

    private static boolean isIngest(FullHttpRequest request) {
        if (!request.method().equals(HttpMethod.POST) || !request.decoderResult().isSuccess()) {
            return false;
        }
        String uri = request.uri();
        return uri.startsWith("/v1/logs") && (uri.length() == 8 || uri.charAt(8) == '?');
    }

    private void process(FullHttpRequest request) {
        Answer answer = new Answer(isIngest(request));
        answer.http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        answers.add(answer);
        if (!answer.ingest) {
            exclusive++;
        }
        current = answer;
        deadline.busy();
        try {
            route(request);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request failed: " + request.method() + " " + safePath(request.uri()), e);
            if (!answer.answered && !streaming) {
                respond(Responses.error(ctx.channel(), HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        "internal error", null), false);
            }
        } finally {
            current = null;
            request.release();
        }
    }

    private void route(FullHttpRequest request) {
        Channel channel = ctx.channel();
        DecoderResult result = request.decoderResult();
        if (!result.isSuccess()) {
            if (result.cause() instanceof BodyBudget.OverBudgetException) {
                overBudget(request);
            } else {
                rejectUndecodable(result.cause());
            }
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !services.draining();
        QueryStringDecoder query;
        try {
            query = RequestTarget.decode(request.uri());
        } catch (IllegalArgumentException e) {
            // a bad percent-escape in the path or a parameter: the request cannot be read as meant (WriteAuthHandler
            // left it alone: no verdict waits for it)
            badRequest("malformed percent-encoding in the request target: a '%' must be followed by two hex digits",
                    keepAlive);
            return;
        }
        String path = query.path();
        HttpMethod method = request.method();
        current.head = method.equals(HttpMethod.HEAD);
        current.cors = services.cors().responseHeaders(request.headers().get(HttpHeaderNames.ORIGIN));
        if (CorsPolicy.isPreflight(request)) {
            current.cors = null;
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
                    respond(readiness(), keepAlive);
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
                    services.metrics().ingestAnswered(HttpResponseStatus.METHOD_NOT_ALLOWED.code());
                    methodNotAllowed("POST", keepAlive);
                }
            }
            case "/v1/stream" -> {
                if (isGetOrHead(method)) {
                    stream(request, query, keepAlive);
                } else {
                    methodNotAllowed("GET, HEAD", keepAlive);
                }
            }
            case "/v1/poll" -> {
                if (isGetOrHead(method)) {
                    poll(request, query, keepAlive);
                } else {
                    methodNotAllowed("GET, HEAD", keepAlive);
                }
            }
            default -> respond(Responses.error(channel, HttpResponseStatus.NOT_FOUND,
                    "no such endpoint: " + safePath(path), null), keepAlive);
        }
    }

    /** {@code /readyz}: 503 while shutting down or while the journal cannot store events (a full disk). */
    private FullHttpResponse readiness() {
        if (services.draining()) {
            return Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "shutting down\n");
        }
        String journalFailure = services.unreadyReason();
        if (journalFailure != null) {
            return Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "not ready: the journal cannot store events: " + journalFailure + "\n");
        }
        return Responses.text(HttpResponseStatus.OK, "ready\n");
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
                : verdict.isGranted() ? verdict : refuse(request, verdict, keepAlive);
        if (auth == null) {
            return;
        }
        if (services.draining() && !deadline.receivingSince(services.drainingSinceNanos())) {
            // a POST that began to arrive before the SIGTERM is in flight and is finished; later ones are shed
            shed(request, keepAlive);
            return;
        }
        Answer answer = current;
        services.ingest().handle(ctx.channel(), request, auth.grant(), response -> {
            answer(answer, response, keepAlive);
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
            shed(request, keepAlive);
            return;
        }
        if (current.head) {
            // the head a GET would get, checks included, and no stream
            respond(services.stream().head(request), keepAlive);
            return;
        }
        // a stream starts alone: its slot is the only one, and the stream takes the connection over
        streaming = true;
        answers.remove(current);
        exclusive--;
        current.answered = true;
        deadline.idle();
        releasePipelined();
        HttpHeaders cors = current.cors;
        current.cors = null;
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
        if (narrowed != filter || current.head) {
            // a HEAD answers at once: the head of the answer a GET would get now, with no waiting
            poll = new PollService.PollRequest(narrowed, poll.after(), poll.tail(), poll.limit(),
                    current.head ? 0 : poll.waitMs());
        }
        Answer answer = current;
        pendingPoll = services.poll().start(ctx.channel(), poll, null, response -> {
            pendingPoll = null;
            answer(answer, response, keepAlive && !services.draining());
        });
    }

    private AuthResult authenticate(FullHttpRequest request, Map<String, List<String>> params, Scope scope,
                                    boolean keepAlive) {
        Authenticator authenticator = services.authenticator();
        AuthResult result = authenticator.authenticate(request, params, scope, ctx.channel().remoteAddress());
        if (result.isGranted()) {
            return result;
        }
        return refuse(request, result, keepAlive);
    }

    /**
     * Answers a refused authentication (401, 403 or 429 with its headers; a {@code google.rpc.Status} body for an
     * OTLP protobuf request); always {@code null}.
     */
    private AuthResult refuse(HttpMessage request, AuthResult result, boolean keepAlive) {
        services.metrics().authFailed(result.reason());
        if (current.ingest) {
            services.metrics().ingestAnswered(result.status().code());
        }
        FullHttpResponse response = Responses.error(ctx.channel(), request, result.status(), result.error(), null);
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
        response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, AuthResult.INSUFFICIENT_SCOPE);
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
        } else if (cause instanceof StrictHttpRequestDecoder.UnsupportedCodingException) {
            // RFC 9112 §6.3: chunked not last, the body's length cannot be told: 400 and close (a coding it merely
            // does not know would be 501, but bad input never gets a 5xx here)
            status = HttpResponseStatus.BAD_REQUEST;
            error = cause.getMessage();
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

    /** 503 for a body the broker cannot hold now; {@link BodyBudgetHandler} drops the rest of it. */
    private void overBudget(FullHttpRequest request) {
        services.metrics().rejected("overloaded");
        if (WriteAuthHandler.isIngestPath(request)) {
            services.metrics().ingestAnswered(HttpResponseStatus.SERVICE_UNAVAILABLE.code());
        }
        respond(unavailable(request, "the broker is holding as many request bodies as it can; retry later"),
                HttpUtil.isKeepAlive(request) && !services.draining());
    }

    /** 503 with {@code Retry-After: 1} and the error body the request's format takes. */
    private FullHttpResponse unavailable(HttpMessage request, String error) {
        FullHttpResponse response = Responses.error(ctx.channel(), request, HttpResponseStatus.SERVICE_UNAVAILABLE,
                error, null);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        return response;
    }

    private void shed(HttpMessage request, boolean keepAlive) {
        services.metrics().rejected("shutting_down");
        if (current.ingest) {
            services.metrics().ingestAnswered(HttpResponseStatus.SERVICE_UNAVAILABLE.code());
        }
        respond(unavailable(request, "the broker is shutting down"), false);
    }

    private void methodNotAllowed(String allow, boolean keepAlive) {
        FullHttpResponse response = Responses.error(ctx.channel(), HttpResponseStatus.METHOD_NOT_ALLOWED,
                "method not allowed; use " + allow, null);
        response.headers().set(HttpHeaderNames.ALLOW, allow);
        respond(response, keepAlive);
    }

    /** Answers the request being routed now. */
    private void respond(FullHttpResponse response, boolean keepAlive) {
        answer(current, response, keepAlive);
    }

    /**
     * Fills a request's answer slot, then writes every answer that is due in request order, and moves on to the
     * pipelined requests that were waiting. Written answers are flushed together at the end of the event loop's
     * iteration: a client that pipelines gets one segment for many answers, not one syscall each.
     */
    private void answer(Answer slot, FullHttpResponse response, boolean keepAlive) {
        Channel channel = ctx.channel();
        if (slot.answered || closing || !channel.isActive()) {
            response.release();
            slot.answered = true;
            return;
        }
        slot.answered = true;
        if (slot.cors != null) {
            response.headers().add(slot.cors);
            slot.cors = null;
        }
        if (slot.head) {
            // RFC 9110 §9.3.2: the same head as GET, no body
            int length = response.content().readableBytes();
            FullHttpResponse withBody = response;
            response = withBody.replace(Unpooled.EMPTY_BUFFER);
            withBody.release();
            if (response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
                // a stream's head has none: its body would run to the close
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
            }
        }
        slot.response = response;
        slot.keepAlive = keepAlive;
        if (keepAlive && slot.http10) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        writeDue();
    }

    private void writeDue() {
        Channel channel = ctx.channel();
        Answer head;
        boolean wrote = false;
        while ((head = answers.peek()) != null && head.response != null) {
            answers.poll();
            if (!head.ingest) {
                exclusive--;
            }
            FullHttpResponse response = head.response;
            head.response = null;
            if (!head.keepAlive) {
                closing = true;
                Responses.send(channel, response, false);
                releasePipelined();
                return;
            }
            channel.write(response, channel.voidPromise());
            wrote = true;
        }
        if (wrote) {
            scheduleFlush();
        }
        if (answers.isEmpty()) {
            deadline.idle();
        }
        if (!pipelined.isEmpty()) {
            // later, not from inside the request that answered (which may still be on the stack)
            channel.eventLoop().execute(this::processQueued);
        }
        closeIfInputDone();
    }

    /**
     * After the client's half-close, closes once every request it sent is answered: the answers are flushed first
     * (a close alone would drop what was written and not yet flushed, and a client that sent a POST and shut its side
     * at once would get no 202 for events that were stored).
     */
    private void closeIfInputDone() {
        if (inputShutdown && !streaming && !closing && answers.isEmpty() && pipelined.isEmpty()) {
            closing = true;
            ctx.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (pendingPoll != null) {
                // a client that shut its side mostly went away: a waiting poll answers now rather than hold the
                // connection for up to its wait (a half-closed client still gets a valid answer, and the close)
                pendingPoll.answerNow();
            }
            closeIfInputDone();
        }
        super.userEventTriggered(ctx, evt);
    }

    /** One flush at the end of this loop iteration for everything written in it. */
    private void scheduleFlush() {
        if (flushScheduled) {
            return;
        }
        if (IoLoops.runsTailTasks(ctx.executor())) {
            flushScheduled = true;
            ((SingleThreadEventLoop) ctx.executor()).executeAfterEventLoopIteration(flushTask);
        } else {
            ctx.flush();
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
        Answer a;
        while ((a = answers.poll()) != null) {
            if (a.response != null) {
                a.response.release();
                a.response = null;
            }
        }
        PollService.Pending poll = pendingPoll;
        pendingPoll = null;
        if (poll != null) {
            poll.closed();
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
