package dev.logcast.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResponseHeadTest {

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void readsStatusAndContentLengthWhateverTheHeaderCase() {
        ByteBuf in = bytes("HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\nCONTENT-LENGTH: 2\r\n\r\n{}");
        try {
            ResponseHead head = new ResponseHead();
            assertThat(head.parse(in)).isTrue();
            assertThat(head.status).isEqualTo(202);
            assertThat(head.contentLength).isEqualTo(2);
            assertThat(head.chunked).isFalse();
            assertThat(in.toString(head.bodyStart, 2, StandardCharsets.US_ASCII)).isEqualTo("{}");
        } finally {
            in.release();
        }
    }

    @Test
    void anIncompleteHeadAsksForMoreBytes() {
        ByteBuf in = bytes("HTTP/1.1 201 Created\r\nContent-Length: 10\r\n");
        try {
            assertThat(new ResponseHead().parse(in)).isFalse();
        } finally {
            in.release();
        }
    }

    @Test
    void findsTheEndOfAChunkedBodyOnlyOnceTheLastChunkIsIn() {
        String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        String body = "5\r\nhello\r\n1a;ext=1\r\n" + "x".repeat(26) + "\r\n0\r\n\r\n";
        ByteBuf complete = bytes(head + body + "HTTP/1.1 202");
        ByteBuf partial = bytes(head + body.substring(0, body.length() - 2));
        try {
            ResponseHead parsed = new ResponseHead();
            assertThat(parsed.parse(complete)).isTrue();
            assertThat(parsed.chunked).isTrue();
            assertThat(ResponseHead.chunkedBodyEnd(complete, parsed.bodyStart)).isEqualTo((head + body).length());
            assertThat(parsed.parse(partial)).isTrue();
            assertThat(ResponseHead.chunkedBodyEnd(partial, parsed.bodyStart)).isEqualTo(-1);
        } finally {
            complete.release();
            partial.release();
        }
    }

    @Test
    void aStatusLineThatIsNotHttpIsAnError() {
        ByteBuf in = bytes("SSH-2.0-OpenSSH\r\n\r\n");
        try {
            assertThatThrownBy(() -> new ResponseHead().parse(in)).isInstanceOf(IllegalStateException.class);
        } finally {
            in.release();
        }
    }
}
