package dev.logcast.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class StrictHttpRequestDecoderTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new StrictHttpRequestDecoder(new HttpDecoderConfig()));

    static Stream<Arguments> bothLengths() {
        return Stream.of(
                Arguments.of("HTTP/1.1", "chunked"),
                Arguments.of("HTTP/1.1", "Chunked"),
                Arguments.of("HTTP/1.1", "gzip, chunked"));
    }

    @ParameterizedTest(name = "{0}, Transfer-Encoding: {1}")
    @MethodSource("bothLengths")
    void contentLengthWithTransferEncodingFailsTheRequest(String version, String transferEncoding) {
        channel.writeInbound(ascii("POST /v1/logs " + version + "\r\nHost: x\r\nContent-Length: 2\r\n"
                + "Transfer-Encoding: " + transferEncoding + "\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));

        HttpRequest request = channel.readInbound();

        assertThat(request.decoderResult().isFailure()).as("decoder result failed").isTrue();
        assertThat(request.decoderResult().cause()).hasMessage(StrictHttpRequestDecoder.BOTH_LENGTHS);
        releaseInbound();
        assertFalse(channel.finishAndReleaseAll());
    }

    @ParameterizedTest(name = "Transfer-Encoding: {0}")
    @ValueSource(strings = {"xchunked", "chunk", "gzip", "gzip, chunked", "chunked, identity", "chunked;q=1",
            "chunked\r\nTransfer-Encoding: chunked"})
    void aTransferEncodingOtherThanChunkedFailsTheRequest(String transferEncoding) {
        channel.writeInbound(ascii("POST /v1/logs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + transferEncoding
                + "\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));

        HttpRequest request = channel.readInbound();

        assertThat(request.decoderResult().isFailure()).as("decoder result failed").isTrue();
        // ours, or Netty's own where it refuses first ("chunked must be the last encoding ...")
        assertThat(request.decoderResult().cause()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chunked");
        releaseInbound();
        channel.finishAndReleaseAll();
    }

    /** Netty refuses Transfer-Encoding before HTTP/1.1 itself, Content-Length or not. */
    @Test
    void http10WithTransferEncodingFailsTheRequest() {
        channel.writeInbound(ascii("POST /v1/logs HTTP/1.0\r\nHost: x\r\nContent-Length: 2\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));

        HttpRequest request = channel.readInbound();

        assertThat(request.decoderResult().isFailure()).as("decoder result failed").isTrue();
        releaseInbound();
        channel.finishAndReleaseAll();
    }

    @Test
    void contentLengthAloneIsFine() {
        channel.writeInbound(ascii("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"));

        HttpRequest request = channel.readInbound();
        HttpContent content = channel.readInbound();

        assertThat(request.decoderResult().isSuccess()).isTrue();
        assertThat(content).isInstanceOf(LastHttpContent.class);
        assertThat(content.content().toString(StandardCharsets.US_ASCII)).isEqualTo("{}");
        content.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void chunkedAloneIsFine() {
        channel.writeInbound(ascii("POST /v1/logs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\n{}\r\n0\r\n\r\n"));

        HttpRequest request = channel.readInbound();

        assertThat(request.decoderResult().isSuccess()).isTrue();
        StringBuilder body = new StringBuilder();
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            body.append(((HttpContent) msg).content().toString(StandardCharsets.US_ASCII));
            ReferenceCountUtil.release(msg);
        }
        assertThat(body).hasToString("{}");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aRefusedRequestDoesNotLeakItsBody() {
        channel.writeInbound(ascii("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n"));

        HttpRequest request = channel.readInbound();

        assertThat(request.decoderResult().isFailure()).isTrue();
        releaseInbound();
        assertFalse(channel.finishAndReleaseAll());
    }

    private void releaseInbound() {
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    private static io.netty.buffer.ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }
}
