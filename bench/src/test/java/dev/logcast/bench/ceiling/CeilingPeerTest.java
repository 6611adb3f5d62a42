package dev.logcast.bench.ceiling;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The ceiling peer's handler and hub on embedded channels: framing, answers, and its one back-pressure rule. */
class CeilingPeerTest {

    private final CeilingHub hub = new CeilingHub();

    private EmbeddedChannel connection() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("http", new HttpServerCodec());
        ch.pipeline().addLast("aggregator", new HttpObjectAggregator(1 << 20));
        ch.pipeline().addLast("handler", new CeilingHandler(hub));
        return ch;
    }

    private static void send(EmbeddedChannel ch, String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.UTF_8));
    }

    private static String post(String body) {
        return "POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** Everything the channel wrote so far, as text. */
    private static String written(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (Object m; (m = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) m;
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return out.toString();
    }

    @Test
    void eachLineOfAPostReachesEverySubscriberAsOneSseFrame() {
        EmbeddedChannel sub1 = connection();
        EmbeddedChannel sub2 = connection();
        EmbeddedChannel pub = connection();
        send(sub1, "GET /v1/stream?branch=b1 HTTP/1.1\r\nHost: x\r\n\r\n");
        send(sub2, "GET /v1/stream HTTP/1.1\r\nHost: x\r\n\r\n");
        String head = written(sub1);
        assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").contains("text/event-stream").endsWith("retry: 3000\n: ceiling\n\n");
        assertThat(sub1.pipeline().get("http")).isNull();
        written(sub2);

        send(pub, post("{\"msg\":\"one\"}\n\n{\"msg\":\"two ü\"}\n{\"msg\":\"three\"}"));
        String answer = written(pub);
        assertThat(answer).startsWith("HTTP/1.1 202 Accepted\r\n").endsWith("{\"accepted\":3}");
        String frames = "data: {\"msg\":\"one\"}\n\ndata: {\"msg\":\"two ü\"}\n\ndata: {\"msg\":\"three\"}\n\n";
        assertThat(written(sub1)).isEqualTo(frames);
        assertThat(written(sub2)).isEqualTo(frames);

        sub2.close();
        send(pub, post("{\"msg\":\"four\"}\n"));
        assertThat(written(pub)).endsWith("{\"accepted\":1}");
        assertThat(written(sub1)).isEqualTo("data: {\"msg\":\"four\"}\n\n");
        assertThat(pub.finishAndReleaseAll()).isFalse();
        assertThat(sub1.finishAndReleaseAll()).isFalse();
    }

    @Test
    void healthAnswers200AndOtherPaths404() {
        EmbeddedChannel ch = connection();
        send(ch, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
        String out = written(ch);
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").contains("HTTP/1.1 404 Not Found\r\n");
        ch.finishAndReleaseAll();
    }

    @Test
    void aBlockedSubscriberStopsReadingPublishersUntilItDrainsOrCloses() {
        EmbeddedChannel sub = connection();
        EmbeddedChannel pub = connection();
        send(sub, "GET /v1/stream HTTP/1.1\r\nHost: x\r\n\r\n");
        written(sub);

        sub.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        send(pub, post("{\"msg\":\"a\"}\n"));
        assertThat(pub.config().isAutoRead()).isFalse();
        assertThat(written(sub)).isEqualTo("data: {\"msg\":\"a\"}\n\n");   // nothing dropped

        sub.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        sub.runPendingTasks();   // Netty announces a channel becoming writable again as a task
        assertThat(pub.config().isAutoRead()).isTrue();

        sub.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        send(pub, post("{\"msg\":\"b\"}\n"));
        assertThat(pub.config().isAutoRead()).isFalse();
        sub.close();
        sub.runPendingTasks();
        assertThat(pub.config().isAutoRead()).isTrue();
        pub.finishAndReleaseAll();
    }
}
