package dev.logcast.broker.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.JdkZlibEncoder;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.util.CharsetUtil;
import org.junit.jupiter.api.Test;

/** How a stream's pipeline ends: its gzip encoder is finished however the connection closes. */
class StreamEndTest {

    @Test
    void aGzipStreamCutOffAtTheTransportEndsItsEncoder() {
        JdkZlibEncoder zlib = new JdkZlibEncoder(ZlibWrapper.GZIP, 6);
        EmbeddedChannel channel = new EmbeddedChannel(StreamService.CloseOnInputShutdown.INSTANCE, zlib);
        channel.writeOutbound(Unpooled.copiedBuffer("data: x\n\n", CharsetUtil.US_ASCII));
        releaseAll(channel);
        assertThat(zlib.isClosed()).isFalse();

        // the client went away, or the overflow's forced close: no close passes through the encoder
        channel.unsafe().close(channel.unsafe().voidPromise());
        channel.runPendingTasks();

        assertThat(zlib.isClosed()).isTrue();
        releaseAll(channel);
        channel.finishAndReleaseAll();
    }

    @Test
    void aPlainStreamClosesAsBefore() {
        EmbeddedChannel channel = new EmbeddedChannel(StreamService.CloseOnInputShutdown.INSTANCE);
        channel.unsafe().close(channel.unsafe().voidPromise());
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
    }

    private static void releaseAll(EmbeddedChannel channel) {
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            out.release();
        }
    }
}
