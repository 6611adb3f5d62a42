package dev.logcast.broker.server;

import dev.logcast.broker.auth.AuthResult;
import dev.logcast.broker.auth.Scope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Authenticates an ingest request as soon as its headers are in, before its body is buffered: a refused
 * {@code POST /v1/logs} has its body read and dropped chunk by chunk instead of aggregated (up to
 * {@code ingest.max.body}), and no {@code 100 Continue} is sent for it. The verdict goes to the {@link HttpRouter}
 * through {@link #verdicts} in request order, so the answer (401/403/429) still keeps the order of pipelined
 * requests, and a token is verified (and a failure counted) once.
 *
 * <pre>
 * p.addLast("decoder", new StrictHttpRequestDecoder(...));
 * p.addLast("write-auth", new WriteAuthHandler(services, verdicts));
 * p.addLast("aggregator", new BodyLimitAggregator(...));
 * </pre>
 *
 * <p><b>Owner:</b> the channel's event loop. Not sharable.
 */
final class WriteAuthHandler extends ChannelInboundHandlerAdapter {
    static final String INGEST_PATH = "/v1/logs";

    private final Services services;
    private final ArrayDeque<AuthResult> verdicts;
    private boolean dropping;
    /** The refused request's (empty) end was already passed on. */
    private boolean bodyForwarded;

    WriteAuthHandler(Services services, ArrayDeque<AuthResult> verdicts) {
        this.services = services;
        this.verdicts = verdicts;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        QueryStringDecoder query;
        if (msg instanceof HttpRequest request && !(msg instanceof FullHttpRequest)
                && (query = ingestTarget(request)) != null) {
            AuthResult verdict = services.authenticator().authenticate(request, query.parameters(), Scope.WRITE,
                    ctx.channel().remoteAddress());
            verdicts.add(verdict);
            if (!verdict.isGranted()) {
                // the router answers with the verdict; the body is not worth buffering
                boolean expectsContinue = HttpUtil.is100ContinueExpected(request);
                request.headers().remove(HttpHeaderNames.EXPECT);
                HttpUtil.setTransferEncodingChunked(request, false);
                HttpUtil.setContentLength(request, 0);
                dropping = true;
                if (expectsContinue) {
                    // the client waits for a 100 that will not come: answer now, then close (the body it may
                    // still send could not be told from a next request)
                    HttpUtil.setKeepAlive(request, false);
                    ctx.fireChannelRead(request);
                    ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
                    bodyForwarded = true;
                    return;
                }
            }
            ctx.fireChannelRead(request);
            return;
        }
        if (dropping && msg instanceof HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            ReferenceCountUtil.release(content);
            if (last) {
                dropping = false;
                if (!bodyForwarded) {
                    ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
                }
                bodyForwarded = false;
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The decoded target of an ingest request, or null: not one, or one the router refuses before auth (a decoder
     * failure, a malformed percent-escape in the target). Decoded once, path and parameters, as the router reads them.
     */
    static QueryStringDecoder ingestTarget(HttpRequest request) {
        if (!request.method().equals(HttpMethod.POST) || !request.decoderResult().isSuccess()) {
            return null;
        }
        try {
            QueryStringDecoder query = RequestTarget.decode(request.uri());
            return query.path().equals(INGEST_PATH) ? query : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Whether {@code request} is a {@code POST /v1/logs} (its path percent-decoded as the router routes it), whatever
     * its decoder result.
     */
    static boolean isIngestPath(HttpRequest request) {
        return request.method().equals(HttpMethod.POST) && INGEST_PATH.equals(RequestTarget.pathOrNull(request.uri()));
    }
}
