package dev.logcast.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BodyLimitAggregatorTest {
    private static final int MAX_BODY = 16;

    private final AtomicInteger oversize = new AtomicInteger();
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new BodyLimitAggregator(MAX_BODY, oversize::incrementAndGet));

    @Test
    void declaredBodyOverTheLimitGets413JsonThenClose() {
        HttpRequest request = post();
        HttpUtil.setContentLength(request, MAX_BODY + 1);

        channel.writeInbound(request);

        FullHttpResponse response = channel.readOutbound();
        assertTooLarge(response);
        response.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(oversize).hasValue(1);
        assertThat((Object) channel.readInbound()).isNull();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void chunkedBodyGrowingOverTheLimitGets413JsonThenClose() {
        HttpRequest request = post();
        HttpUtil.setTransferEncodingChunked(request, true);

        channel.writeInbound(request, content(10));
        assertThat((Object) channel.readOutbound()).isNull();
        channel.writeInbound(content(10));

        FullHttpResponse response = channel.readOutbound();
        assertTooLarge(response);
        response.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(oversize).hasValue(1);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void bodyExactlyAtTheLimitIsAggregated() {
        HttpRequest request = post();
        HttpUtil.setContentLength(request, MAX_BODY);

        channel.writeInbound(request, new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[MAX_BODY])));

        FullHttpRequest full = channel.readInbound();
        assertThat(full.content().readableBytes()).isEqualTo(MAX_BODY);
        full.release();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(oversize).hasValue(0);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void expectContinueWithinTheLimitGets100Continue() {
        HttpRequest request = post();
        HttpUtil.setContentLength(request, 4);
        request.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);

        channel.writeInbound(request);

        FullHttpResponse response = channel.readOutbound();
        assertThat(response.status()).isEqualTo(HttpResponseStatus.CONTINUE);
        response.release();
        assertThat(channel.isOpen()).isTrue();
        channel.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("{}{}", StandardCharsets.US_ASCII)));
        FullHttpRequest full = channel.readInbound();
        assertThat(full.content().readableBytes()).isEqualTo(4);
        full.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    /** The contract: every error has the JSON body, including the answer to an Expect over the limit. */
    @Test
    void expectContinueOverTheLimitGets413JsonThenClose() {
        HttpRequest request = post();
        HttpUtil.setContentLength(request, MAX_BODY + 1);
        request.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);

        channel.writeInbound(request);

        FullHttpResponse response = channel.readOutbound();
        try {
            assertTooLarge(response);
        } finally {
            response.release();
        }
        assertThat(channel.isOpen()).isFalse();
        assertThat(oversize).hasValue(1);
        assertFalse(channel.finishAndReleaseAll());
    }

    private static void assertTooLarge(FullHttpResponse response) {
        assertThat(response.status()).isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(response.content().toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"request body is larger than " + MAX_BODY + " bytes\",\"index\":null}");
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
                .isEqualTo(response.content().readableBytes());
    }

    private static HttpRequest post() {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/logs");
    }

    private static DefaultHttpContent content(int bytes) {
        return new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[bytes]));
    }
}
