package dev.logcast.broker.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an overflowing plain stream keeps of the bytes its socket has not taken: the rest of the frame in progress and
 * the frames through the next event frame, whose id becomes the overflow's {@code last}. The writes wait unflushed in
 * an {@link EmbeddedChannel}'s outbound buffer; a socket that took part of the first is a reader index moved on.
 */
class UnsentCutTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private StreamSubscriber.UnsentCut cut;

    /** The cut over what was written, after the socket took {@code taken} bytes of the first write. */
    private void cutAfter(int taken, String... writes) throws Exception {
        ByteBuf first = null;
        for (String w : writes) {
            ByteBuf buf = Unpooled.copiedBuffer(w, StandardCharsets.US_ASCII);
            if (first == null) {
                first = buf;
            }
            channel.write(buf);
        }
        first.readerIndex(taken);
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        out.addFlush();
        cut = new StreamSubscriber.UnsentCut(UnpooledByteBufAllocator.DEFAULT);
        out.forEachFlushedMessage(cut);
    }

    @AfterEach
    void release() {
        if (cut != null) {
            cut.kept.release();
        }
        channel.finishAndReleaseAll();
    }

    @Test
    void aFrameCutInItsMiddleIsFinishedAndItsIdIsTheLast() throws Exception {
        cutAfter(10, "id: 17\ndata: {\"id\":\"17\"}\n\nid: 18\ndata: {\"id\":\"18\"}\n\n", "id: 19\ndata: {}\n\n");
        assertThat(cut.complete).isTrue();
        assertThat(cut.lastId).isEqualTo(17);
        assertThat(kept()).isEqualTo("a: {\"id\":\"17\"}\n\n");
    }

    @Test
    void whenTheSocketTookAWholeFrameTheNextEventFrameIsKeptWhole() throws Exception {
        String first = "id: 17\ndata: {}\n\n";
        cutAfter(first.length(), first + "id: 18\ndata: {}\n\nid: 19\ndata: {}\n\n");
        assertThat(cut.lastId).isEqualTo(18);
        assertThat(kept()).isEqualTo("id: 18\ndata: {}\n\n");
    }

    @Test
    void aCutBetweenTheTwoNewlinesOfTheBlankLineKeepsTheLastNewline() throws Exception {
        String first = "id: 5\ndata: {}\n\n";
        cutAfter(first.length() - 1, first, "id: 6\ndata: {}\n\n");
        assertThat(cut.lastId).isEqualTo(5);
        assertThat(kept()).isEqualTo("\n");
    }

    @Test
    void heartbeatsAndGapsBeforeTheNextEventFrameAreKeptWithIt() throws Exception {
        cutAfter(0, ":\n\n", "event: gap\ndata: {\"from\":\"3\",\"to\":\"9\"}\n\n", "id: 10\ndata: {}\n\n",
                "id: 11\ndata: {}\n\n");
        assertThat(cut.lastId).isEqualTo(10);
        assertThat(kept()).isEqualTo(":\n\nevent: gap\ndata: {\"from\":\"3\",\"to\":\"9\"}\n\nid: 10\ndata: {}\n\n");
    }

    @Test
    void withNoEventFrameUnsentEverythingIsKeptAndNoIdIsNamed() throws Exception {
        cutAfter(1, ":\n\n", ":\n\n");
        assertThat(cut.complete).isTrue();
        assertThat(cut.lastId).isEqualTo(-1);
        assertThat(kept()).isEqualTo("\n\n:\n\n");
    }

    @Test
    void aMessageThatIsNotABufferLeavesTheCutIncomplete() throws Exception {
        channel.write(Unpooled.copiedBuffer(":\n\n", StandardCharsets.US_ASCII));
        channel.write("not a buffer");
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        out.addFlush();
        cut = new StreamSubscriber.UnsentCut(UnpooledByteBufAllocator.DEFAULT);
        out.forEachFlushedMessage(cut);
        assertThat(cut.complete).isFalse();
    }

    private String kept() {
        return cut.kept.toString(StandardCharsets.US_ASCII);
    }
}
