package dev.logcast.broker.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.util.List;

/**
 * Netty's request decoder, stricter about one thing: a request with both {@code Content-Length} and
 * {@code Transfer-Encoding} is refused rather than read as chunked (RFC 9112 §6.3 allows either; refusing
 * closes the door to request smuggling through a proxy that would read it the other way).
 *
 * <pre>
 * p.addLast("decoder", new StrictHttpRequestDecoder(config));
 * p.addLast("encoder", new HttpResponseEncoder());
 * </pre>
 */
final class StrictHttpRequestDecoder extends HttpRequestDecoder {
    static final String BOTH_LENGTHS = "Content-Length and Transfer-Encoding must not both be present";

    StrictHttpRequestDecoder(HttpDecoderConfig config) {
        super(config);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        super.handleTransferEncodingChunkedWithContentLength(message);
        message.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(BOTH_LENGTHS)));
    }

    /** Netty calls the hook above for HTTP/1.1 only; an HTTP/1.0 request with both headers is refused too. */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        int before = out.size();
        super.decode(ctx, buffer, out);
        for (int i = before; i < out.size(); i++) {
            if (out.get(i) instanceof HttpMessage message && message.decoderResult().isSuccess()
                    && message.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                    && message.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
                message.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(BOTH_LENGTHS)));
            }
        }
    }
}
