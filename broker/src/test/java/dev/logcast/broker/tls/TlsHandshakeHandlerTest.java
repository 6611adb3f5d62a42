package dev.logcast.broker.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.logcast.broker.metrics.BrokerMetrics;
import dev.logcast.broker.tls.SelfSignedCertificate.KeyKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handshake watcher alone (events fired by hand), then behind a real server {@code SslHandler} with a client
 * {@code SslHandler} on another {@link EmbeddedChannel}, bytes carried across by the test.
 */
class TlsHandshakeHandlerTest {
    private static final String REJECTED = "logcast_rejected_total{reason=\"tls_handshake\"}";
    private static SelfSignedCertificate pair;
    private static TlsServerContext server;

    private final BrokerMetrics metrics = new BrokerMetrics();

    @BeforeAll
    static void serverContext(@TempDir Path dir) throws Exception {
        pair = PemFixtures.pair(KeyKind.EC);
        Path[] files = PemFixtures.writePair(dir, pair, "server");
        server = TlsServerContext.load(files[0], files[1]);
    }

    @Test
    void successfulHandshakeRemovesTheWatcherAndPassesTheEventOn() {
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new TlsHandshakeHandler(metrics), recorder(seen));

        channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);

        assertThat(channel.pipeline().get(TlsHandshakeHandler.class)).isNull();
        assertThat(channel.isOpen()).isTrue();
        assertThat(seen).containsExactly(SslHandshakeCompletionEvent.SUCCESS);
        assertThat(rejected()).isZero();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void failedHandshakeIsCountedOnceAndClosesTheConnection() {
        EmbeddedChannel channel = new EmbeddedChannel(new TlsHandshakeHandler(metrics));
        SslHandshakeCompletionEvent failure = new SslHandshakeCompletionEvent(new SSLHandshakeException("bad"));

        channel.pipeline().fireUserEventTriggered(failure);
        channel.pipeline().fireUserEventTriggered(failure);

        assertThat(channel.isOpen()).isFalse();
        assertThat(rejected()).isEqualTo(1);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void exceptionDuringTheHandshakeClosesQuietly() {
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new TlsHandshakeHandler(metrics), recorder(seen));

        channel.pipeline().fireExceptionCaught(new DecoderException(new NotSslRecordException("not TLS")));

        assertThat(channel.isOpen()).isFalse();
        assertThat(seen).as("nothing reaches the HTTP handlers").isEmpty();
        assertThatCode(channel::checkException).doesNotThrowAnyException();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void plainHttpSentToTheTlsPortFailsTheHandshakeQuietly() {
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel channel = serverChannel(seen);

        channel.writeInbound(Unpooled.copiedBuffer("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));

        assertThat(channel.isOpen()).isFalse();
        assertThat(rejected()).isEqualTo(1);
        assertThat(seen).noneMatch(ByteBuf.class::isInstance);
        assertThatCode(channel::checkException).doesNotThrowAnyException();
        channel.finishAndReleaseAll();
    }

    @Test
    void trustingClientCompletesTls13WithHttp11AndTheWatcherLeaves() throws Exception {
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel serverChannel = serverChannel(seen);
        EmbeddedChannel clientChannel = clientChannel(pair.certificate());

        shuttle(clientChannel, serverChannel);

        SslHandler serverSsl = serverChannel.pipeline().get(SslHandler.class);
        assertThat(serverSsl.handshakeFuture().isSuccess()).isTrue();
        assertThat(clientChannel.pipeline().get(SslHandler.class).handshakeFuture().isSuccess()).isTrue();
        assertThat(serverSsl.engine().getSession().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(serverSsl.applicationProtocol()).isEqualTo(ApplicationProtocolNames.HTTP_1_1);
        assertThat(serverChannel.pipeline().get(TlsHandshakeHandler.class)).isNull();
        assertThat(serverChannel.pipeline().names()).startsWith("ssl");
        assertThat(rejected()).isZero();
        clientChannel.finishAndReleaseAll();
        serverChannel.finishAndReleaseAll();
    }

    @Test
    void clientThatDoesNotTrustTheCertificateFailsAndTheServerCountsIt() throws Exception {
        EmbeddedChannel serverChannel = serverChannel(new ArrayList<>());
        EmbeddedChannel clientChannel = clientChannel(PemFixtures.pair(KeyKind.EC).certificate());
        SslHandler clientSsl = clientChannel.pipeline().get(SslHandler.class);

        shuttle(clientChannel, serverChannel);

        assertThat(clientSsl.handshakeFuture().cause())
                .isInstanceOf(SSLHandshakeException.class);
        assertThat(serverChannel.isOpen()).isFalse();
        assertThat(rejected()).isEqualTo(1);
        assertThatCode(serverChannel::checkException).doesNotThrowAnyException();
        clientChannel.finishAndReleaseAll();
        serverChannel.finishAndReleaseAll();
    }

    private EmbeddedChannel serverChannel(List<Object> seen) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("ssl", server.newHandler(channel.alloc(), 10_000));
        channel.pipeline().addLast("ssl-handshake", new TlsHandshakeHandler(metrics));
        channel.pipeline().addLast("next", recorder(seen));
        return channel;
    }

    /** A JDK client offering h2 and http/1.1, trusting only {@code trusted}; its own failures are swallowed. */
    private static EmbeddedChannel clientChannel(X509Certificate trusted) throws Exception {
        SslContext context = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(trusted)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(context.newHandler(channel.alloc(), "localhost", 443));
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        });
        return channel;
    }

    /** Carries bytes both ways until neither side has anything more to say. */
    private static void shuttle(EmbeddedChannel client, EmbeddedChannel server) {
        for (int round = 0; round < 50; round++) {
            boolean moved = move(client, server) | move(server, client);
            if (!moved) {
                return;
            }
        }
        throw new AssertionError("the handshake did not settle");
    }

    private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        ByteBuf bytes;
        while ((bytes = from.readOutbound()) != null) {
            moved = true;
            if (to.isOpen()) {
                to.writeInbound(bytes);
            } else {
                bytes.release();
            }
        }
        return moved;
    }

    private static ChannelInboundHandlerAdapter recorder(List<Object> seen) {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                seen.add(msg);
                io.netty.util.ReferenceCountUtil.release(msg);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                seen.add(evt);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                seen.add(cause);
            }
        };
    }

    private double rejected() {
        String text = new String(metrics.scrape(), StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            if (line.startsWith(REJECTED + " ")) {
                return Double.parseDouble(line.substring(REJECTED.length() + 1).trim());
            }
        }
        return 0;
    }
}
