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
 * What an overflowing chunked stream keeps of the bytes its socket has not taken: the rest of the chunk in progress
 * and the chunks through the next one that holds an event frame, whose last event id becomes the overflow's
 * {@code last}. The writes pass {@link ChunkedFraming} (a size line, the bytes, CRLF each) and wait unflushed in an
 * {@link EmbeddedChannel}'s outbound buffer; a socket that took some of them is entries removed and a reader index
 * moved on.
 */
class ChunkedUnsentCutTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(ChunkedFraming.INSTANCE);
    private StreamSubscriber.ChunkedUnsentCut cut;

    /** The cut over what was written, after the socket took {@code messages} whole buffers and {@code bytes} more. */
    private void cutAfter(int messages, int bytes, String... writes) throws Exception {
        for (String w : writes) {
            channel.write(Unpooled.copiedBuffer(w, StandardCharsets.US_ASCII));
        }
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        out.addFlush();
        for (int i = 0; i < messages; i++) {
            out.remove();
        }
        ((ByteBuf) out.current()).skipBytes(bytes);
        cut = new StreamSubscriber.ChunkedUnsentCut(UnpooledByteBufAllocator.DEFAULT);
        out.forEachFlushedMessage(cut);
    }

    @AfterEach
    void release() {
        if (cut != null) {
            cut.kept.release();
        }
        channel.finishAndReleaseAll();
    }

    private String kept() {
        return cut.kept.toString(StandardCharsets.US_ASCII);
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.length()) + "\r\n" + data + "\r\n";
    }

    @Test
    void eachWriteIsOneChunk() {
        channel.writeOutbound(Unpooled.copiedBuffer("id: 1\ndata: {}\n\n", StandardCharsets.US_ASCII),
                Unpooled.EMPTY_BUFFER);
        StringBuilder wire = new StringBuilder();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            wire.append(out.toString(StandardCharsets.US_ASCII));
            out.release();
        }
        assertThat(wire.toString()).as("an empty write is no chunk: it would end the body")
                .isEqualTo(chunk("id: 1\ndata: {}\n\n"));
        channel.close();
        ByteBuf last = channel.readOutbound();
        assertThat(last.toString(StandardCharsets.US_ASCII)).as("the close ends the body").isEqualTo("0\r\n\r\n");
        last.release();
    }

    @Test
    void aChunkCutInItsDataIsFinishedAndItsLastEventIsTheLast() throws Exception {
        String first = "id: 17\ndata: {\"id\":\"17\"}\n\nid: 18\ndata: {\"id\":\"18\"}\n\n";
        cutAfter(1, 10, first, "id: 19\ndata: {}\n\n");
        assertThat(cut.complete).isTrue();
        assertThat(cut.lastId).isEqualTo(18);
        assertThat(kept()).isEqualTo(first.substring(10) + "\r\n");
    }

    @Test
    void whenTheSocketTookAWholeChunkTheNextWithAnEventIsKeptWhole() throws Exception {
        cutAfter(3, 0, "id: 17\ndata: {}\n\n", "id: 18\ndata: {}\n\nid: 19\ndata: {}\n\n", "id: 20\ndata: {}\n\n");
        assertThat(cut.lastId).isEqualTo(19);
        assertThat(kept()).isEqualTo(chunk("id: 18\ndata: {}\n\nid: 19\ndata: {}\n\n"));
    }

    @Test
    void aCutInTheSizeLineKeepsTheWholeChunk() throws Exception {
        String data = "id: 5\ndata: {}\n\n";
        cutAfter(0, 1, data, "id: 6\ndata: {}\n\n");
        assertThat(cut.lastId).isEqualTo(5);
        assertThat(kept()).isEqualTo(chunk(data).substring(1));
    }

    @Test
    void aCutInTheChunkEndGoesOnToTheNextChunkWithAnEvent() throws Exception {
        cutAfter(2, 1, "id: 5\ndata: {}\n\n", ":\n\n", "id: 6\ndata: {}\n\n", "id: 7\ndata: {}\n\n");
        assertThat(cut.lastId).isEqualTo(6);
        assertThat(kept()).isEqualTo("\n" + chunk(":\n\n") + chunk("id: 6\ndata: {}\n\n"));
    }

    @Test
    void heartbeatsAndGapsBeforeTheNextEventAreKeptWithIt() throws Exception {
        String gap = "event: gap\ndata: {\"from\":\"3\",\"to\":\"9\"}\n\n";
        cutAfter(0, 0, ":\n\n", gap, "id: 10\ndata: {}\n\n", "id: 11\ndata: {}\n\n");
        assertThat(cut.lastId).isEqualTo(10);
        assertThat(kept()).isEqualTo(chunk(":\n\n") + chunk(gap) + chunk("id: 10\ndata: {}\n\n"));
    }

    @Test
    void withNoEventFrameLeftEverythingIsKept() throws Exception {
        cutAfter(0, 0, ":\n\n", ":\n\n");
        assertThat(cut.complete).isTrue();
        assertThat(cut.lastId).isEqualTo(-1);
        assertThat(kept()).isEqualTo(chunk(":\n\n") + chunk(":\n\n"));
    }
}
