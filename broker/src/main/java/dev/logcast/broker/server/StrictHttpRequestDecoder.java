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
 * Netty's request decoder, stricter about framing: a request with both {@code Content-Length} and
 * {@code Transfer-Encoding} is refused rather than read as chunked (RFC 9112 §6.3 allows either; refusing
 * closes the door to request smuggling through a proxy that would read it the other way), and so is one whose
 * {@code Transfer-Encoding} is anything but {@code chunked}.
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
        // Netty's own answer is an exception; ours is the request refused (400 and close) with its body read as
        // chunked, so that nothing of it is taken for a next request
        message.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        message.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(BOTH_LENGTHS)));
    }

    /**
     * Netty calls the hook above for HTTP/1.1 only; an HTTP/1.0 request with both headers is refused too. And a
     * {@code Transfer-Encoding} other than exactly {@code chunked} (another coding, a list, a repeated header) is
     * refused with 400 and the connection closed (RFC 9112 §6.3): Netty would read such a body as empty, and its
     * bytes as the next request.
     */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        int before = out.size();
        super.decode(ctx, buffer, out);
        for (int i = before; i < out.size(); i++) {
            if (out.get(i) instanceof HttpMessage message && message.decoderResult().isSuccess()) {
                String refusal = refusal(message);
                if (refusal != null) {
                    message.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(refusal)));
                    continue;
                }
                List<String> codings = message.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
                if (codings.isEmpty()) {
                    continue;
                }
                if (message.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
                    message.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(BOTH_LENGTHS)));
                } else if (codings.size() != 1 || !codings.get(0).trim().equalsIgnoreCase("chunked")) {
                    message.setDecoderResult(DecoderResult.failure(new UnsupportedCodingException(codings)));
                }
            }
        }
    }

    /**
     * Why a request must be refused (400) before its framing is looked at, or null: a version other than HTTP/1.x
     * (RFC 9110 §2.5: a 1.x above 1.1 is read as 1.1), and an HTTP/1.1 request without exactly one {@code Host}
     * (RFC 9112 §3.2: "MUST respond with a 400"), or any request with more than one.
     */
    private static String refusal(HttpMessage message) {
        if (message.protocolVersion().majorVersion() != 1) {
            return "HTTP version " + message.protocolVersion().text() + " is not supported; use HTTP/1.1";
        }
        int hosts = message.headers().getAll(HttpHeaderNames.HOST).size();
        if (hosts > 1) {
            return "more than one Host header";
        }
        if (hosts == 0 && message.protocolVersion().minorVersion() >= 1) {
            return "an HTTP/1.1 request needs a Host header";
        }
        return null;
    }

    /** A request's {@code Transfer-Encoding} is not exactly {@code chunked}: 400, and the connection is closed. */
    static final class UnsupportedCodingException extends IllegalArgumentException {
        UnsupportedCodingException(List<String> codings) {
            super("Transfer-Encoding " + String.join(", ", codings) + " is not supported; send chunked or a "
                    + "Content-Length");
        }
    }
}
