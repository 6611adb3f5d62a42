package dev.logcast.broker.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an overflowing chunked stream keeps of the bytes its socket has not taken: the rest of the chunk in progress
 * and the chunks through the next one that holds an event frame, whose last event id becomes the overflow's
 * {@code last}. The writes pass {@link ChunkedFraming} (one buffer for a small chunk; a size line, the bytes, CRLF
 * for a large one) and wait unflushed in an {@link EmbeddedChannel}'s outbound buffer; a socket that took some of them is entries removed and a reader index
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

    /** A frame of about {@code bytes} bytes with event id {@code id}. */
    private static String frame(long id, int bytes) {
        String head = "id: " + id + "\ndata: {\"msg\":\"";
        return head + "x".repeat(Math.max(0, bytes - head.length() - 4)) + "\"}\n\n";
    }

    private static final int LARGE = ChunkedFraming.COPY_MAX_BYTES + 100;

    @Test
    void eachWriteIsOneChunkSmallOnesInOneBufferLargeOnesAsThree() {
        String small = "id: 1\ndata: {}\n\n";
        String large = frame(2, LARGE);
        channel.writeOutbound(Unpooled.copiedBuffer(small, StandardCharsets.US_ASCII), Unpooled.EMPTY_BUFFER,
                Unpooled.copiedBuffer(large, StandardCharsets.US_ASCII));
        List<String> buffers = new ArrayList<>();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            buffers.add(out.toString(StandardCharsets.US_ASCII));
            out.release();
        }
        assertThat(buffers).as("an empty write is no chunk: it would end the body").containsExactly(chunk(small), "",
                Integer.toHexString(large.length()) + "\r\n", large, "\r\n");
        channel.close();
        ByteBuf last = channel.readOutbound();
        assertThat(last.toString(StandardCharsets.US_ASCII)).as("the close ends the body").isEqualTo("0\r\n\r\n");
        last.release();
    }

    @Test
    void aSmallChunkCutInTheMiddleIsFinishedAndItsLastEventIsTheLast() throws Exception {
        String first = "id: 17\ndata: {\"id\":\"17\"}\n\nid: 18\ndata: {\"id\":\"18\"}\n\n";
        cutAfter(0, 10, first, "id: 19\ndata: {}\n\n");
        assertThat(cut.complete).isTrue();
        assertThat(cut.lastId).isEqualTo(18);
        assertThat(kept()).isEqualTo(chunk(first).substring(10));
    }

    @Test
    void aLargeChunkCutInItsDataIsFinishedAndItsLastEventIsTheLast() throws Exception {
        String first = frame(17, LARGE / 2) + frame(18, LARGE / 2);
        cutAfter(1, 10, first, "id: 19\ndata: {}\n\n");
        assertThat(cut.complete).isTrue();
        assertThat(cut.lastId).isEqualTo(18);
        assertThat(kept()).isEqualTo(first.substring(10) + "\r\n");
    }

    @Test
    void whenTheSocketTookAWholeChunkTheNextWithAnEventIsKeptWhole() throws Exception {
        cutAfter(1, 0, "id: 17\ndata: {}\n\n", "id: 18\ndata: {}\n\nid: 19\ndata: {}\n\n", "id: 20\ndata: {}\n\n");
        assertThat(cut.lastId).isEqualTo(19);
        assertThat(kept()).isEqualTo(chunk("id: 18\ndata: {}\n\nid: 19\ndata: {}\n\n"));
    }

    @Test
    void aCutInALargeChunksSizeLineKeepsTheWholeChunk() throws Exception {
        String data = frame(5, LARGE);
        cutAfter(0, 1, data, "id: 6\ndata: {}\n\n");
        assertThat(cut.lastId).isEqualTo(5);
        assertThat(kept()).isEqualTo(chunk(data).substring(1));
    }

    @Test
    void aCutInALargeChunksEndGoesOnToTheNextChunkWithAnEvent() throws Exception {
        cutAfter(2, 1, frame(5, LARGE), ":\n\n", "id: 6\ndata: {}\n\n", "id: 7\ndata: {}\n\n");
        assertThat(cut.lastId).isEqualTo(6);
        assertThat(kept()).isEqualTo("\n" + chunk(":\n\n") + chunk("id: 6\ndata: {}\n\n"));
    }

    @Test
    void heartbeatsAndGapsBeforeTheNextEventAreKeptWithIt() throws Exception {
        String gap = "event: gap\ndata: {\"from\":\"3\",\"to\":\"9\"}\n\n";
        String large = frame(11, LARGE);
        cutAfter(0, 0, ":\n\n", gap, large, "id: 12\ndata: {}\n\n");
        assertThat(cut.lastId).isEqualTo(11);
        assertThat(kept()).isEqualTo(chunk(":\n\n") + chunk(gap) + chunk(large));
    }

    @Test
    void withNoEventFrameLeftEverythingIsKept() throws Exception {
        cutAfter(0, 0, ":\n\n", ":\n\n");
        assertThat(cut.complete).isTrue();
        assertThat(cut.lastId).isEqualTo(-1);
        assertThat(kept()).isEqualTo(chunk(":\n\n") + chunk(":\n\n"));
    }
}
