package dev.logcast.broker.server;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.logcast.broker.ingest.IngestService;
import dev.logcast.protocol.EventJson;
import dev.logcast.protocol.ingest.OtlpResponses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Building and sending HTTP responses: the contract's JSON error body, plain bodies, keep-alive handling.
 * Stateless.
 */
public final class Responses {
    public static final AsciiString JSON = AsciiString.cached("application/json");
    public static final AsciiString TEXT = AsciiString.cached("text/plain; charset=utf-8");
    public static final AsciiString PROTOBUF = AsciiString.cached("application/x-protobuf");

    private Responses() {
    }

    /** {@code {"error": "...", "index": N|null}}. */
    public static ByteBuf errorBody(Channel channel, String error, Integer index) {
        ByteBuf buf = channel.alloc().buffer(64 + error.length());
        try (JsonGenerator gen = EventJson.FACTORY.createGenerator((java.io.OutputStream) new ByteBufOutputStream(buf))) {
            gen.writeStartObject();
            gen.writeStringField("error", error);
            gen.writeFieldName("index");
            if (index == null) {
                gen.writeNull();
            } else {
                gen.writeNumber(index);
            }
            gen.writeEndObject();
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        }
        return buf;
    }

    public static FullHttpResponse error(Channel channel, HttpResponseStatus status, String error, Integer index) {
        return response(status, JSON, errorBody(channel, error, index));
    }

    /**
     * The error answer to {@code request}: OTLP's {@code google.rpc.Status} for a protobuf {@code POST /v1/logs}
     * (the contract's rule for OTLP protobuf requests, whichever layer refuses them), else the JSON error body.
     */
    public static FullHttpResponse error(Channel channel, HttpMessage request, HttpResponseStatus status, String error,
                                         Integer index) {
        if (request instanceof HttpRequest r && r.method().equals(HttpMethod.POST)
                && IngestService.isProtobuf(r.headers().get(HttpHeaderNames.CONTENT_TYPE))
                && WriteAuthHandler.INGEST_PATH.equals(RequestTarget.pathOrNull(r.uri()))) {
            return response(status, PROTOBUF, Unpooled.wrappedBuffer(OtlpResponses.status(status.code(), error)));
        }
        return error(channel, status, error, index);
    }

    public static FullHttpResponse text(HttpResponseStatus status, String body) {
        return response(status, TEXT, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    public static FullHttpResponse response(HttpResponseStatus status, CharSequence contentType, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }

    /**
     * Sends a response; closes after it unless the connection is kept alive.
     */
    public static void send(Channel channel, FullHttpResponse response, boolean keepAlive) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            channel.writeAndFlush(response).addListener(LingeringClose.INSTANCE);
        } else {
            channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
