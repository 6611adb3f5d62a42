package dev.logcast.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.auth.AuthResult;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link BodyBudgetHandler}: bodies held against the broker-wide budget, refused when it is spent. */
class BodyBudgetHandlerTest {
    private final BodyBudget budget = new BodyBudget(100);
    private final ArrayDeque<AuthResult> verdicts = new ArrayDeque<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new BodyBudgetHandler(budget, 1_000, verdicts));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static HttpRequest post(long contentLength) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/logs");
        if (contentLength >= 0) {
            HttpUtil.setContentLength(request, contentLength);
        } else {
            request.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        return request;
    }

    private static HttpContent bytes(int n, boolean last) {
        return last ? new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[n]))
                : new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[n]));
    }

    private void answer() {
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED));
        ReferenceCountUtil.release(channel.readOutbound());
    }

    /** The next message passed on, released; returns whether it was a refusal's failed end. */
    private boolean nextIsOverBudgetEnd() {
        Object msg = channel.readInbound();
        try {
            return msg instanceof LastHttpContent end && !end.decoderResult().isSuccess()
                    && end.decoderResult().cause() instanceof BodyBudget.OverBudgetException;
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Test
    void aBodyWithALengthTakesItUntilItsAnswerIsWritten() {
        channel.writeInbound(post(80));
        assertThat(budget.used()).isEqualTo(80);
        channel.writeInbound(bytes(80, true));
        assertThat((Object) channel.readInbound()).isInstanceOf(HttpRequest.class);
        ReferenceCountUtil.release(channel.readInbound());
        assertThat(budget.used()).as("held while the request is worked on").isEqualTo(80);
        answer();
        assertThat(budget.used()).isZero();
    }

    @Test
    void aBodyThatDoesNotFitIsRefusedBeforeItsBytesAndTheyAreDropped() {
        channel.writeInbound(post(80));
        channel.writeInbound(bytes(80, true));
        ReferenceCountUtil.release(channel.readInbound());
        ReferenceCountUtil.release(channel.readInbound());

        HttpRequest second = post(50);
        second.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);
        channel.writeInbound(second);
        HttpRequest passed = channel.readInbound();
        assertThat(HttpUtil.getContentLength(passed)).isZero();
        assertThat(HttpUtil.isKeepAlive(passed)).as("its body is read and dropped: the connection goes on").isTrue();
        assertThat(passed.headers().contains(HttpHeaderNames.EXPECT)).as("no 100 Continue for it").isFalse();
        assertThat(nextIsOverBudgetEnd()).isTrue();
        channel.writeInbound(bytes(30, false), bytes(20, true));
        assertThat((Object) channel.readInbound()).as("its body is dropped").isNull();
        assertThat(budget.used()).isEqualTo(80);

        answer();
        answer();
        assertThat(budget.used()).isZero();
    }

    @Test
    void aRefusedIngestRequestTakesBackItsVerdict() {
        AuthResult earlier = AuthResult.missing();
        verdicts.add(earlier);
        channel.writeInbound(post(80));
        channel.writeInbound(bytes(80, true));
        verdicts.add(AuthResult.missing());
        channel.writeInbound(post(50));
        assertThat(verdicts).as("the router asks no verdict for a failed request").containsExactly(earlier);
    }

    @Test
    void aChunkedBodyTakesEachChunkAndFailsWhenOneDoesNotFit() {
        channel.writeInbound(post(-1));
        ReferenceCountUtil.release(channel.readInbound());
        channel.writeInbound(bytes(60, false));
        ReferenceCountUtil.release(channel.readInbound());
        assertThat(budget.used()).isEqualTo(60);
        channel.writeInbound(bytes(60, false));
        assertThat(nextIsOverBudgetEnd()).isTrue();
        channel.writeInbound(bytes(10, true));
        assertThat((Object) channel.readInbound()).isNull();
        answer();
        assertThat(budget.used()).isZero();
    }

    @Test
    void aBodyOverTheBodyLimitIsLeftToTheAggregatorsAnswer() {
        channel.writeInbound(post(5_000));
        HttpRequest passed = channel.readInbound();
        assertThat(HttpUtil.getContentLength(passed)).isEqualTo(5_000);
        assertThat(budget.used()).isZero();
    }

    @Test
    void everythingHeldGoesBackWhenTheConnectionCloses() {
        channel.writeInbound(post(40));
        channel.writeInbound(bytes(40, true));
        channel.writeInbound(post(30));
        assertThat(budget.used()).isEqualTo(70);
        channel.close();
        assertThat(budget.used()).isZero();
    }

    @Test
    void aContinueIsNotTheAnswer() {
        channel.writeInbound(post(40));
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        ReferenceCountUtil.release(channel.readOutbound());
        assertThat(budget.used()).isEqualTo(40);
    }
}
