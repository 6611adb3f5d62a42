package dev.logcast.broker.poll;

import dev.logcast.broker.core.EventFilter;
import dev.logcast.broker.core.QueryParams;
import dev.logcast.broker.core.Sequencer;
import dev.logcast.broker.core.ShardMap;
import dev.logcast.broker.metrics.BrokerMetrics;
import dev.logcast.broker.server.Responses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code GET /v1/poll}: long-poll for clients that cannot hold a stream. Answers
 * {@code {"events": [...], "last": "<id>", "gap": null | {"from": .., "to": ..}}} as soon as at least one matching
 * event exists after {@code after}, or with no events when {@code wait} seconds (at most 30) run out. The answer
 * is assembled from slices of the shared frames, not copies. Stateless; one per broker.
 */
public final class PollService {
    public static final long MAX_WAIT_SECONDS = 30;
    public static final int DEFAULT_LIMIT = 1_000;
    public static final int MAX_LIMIT = 10_000;

    private final ShardMap shards;
    private final Sequencer sequencer;
    private final BrokerMetrics metrics;

    public PollService(ShardMap shards, Sequencer sequencer, BrokerMetrics metrics) {
        this.shards = shards;
        this.sequencer = sequencer;
        this.metrics = metrics;
    }

    /** A parsed poll request; parsing fails with {@link IllegalArgumentException} naming the parameter. */
    public record PollRequest(EventFilter filter, long after, long tail, int limit, long waitMs) {
        public static PollRequest parse(Map<String, List<String>> params, EventFilter filter) {
            String afterText = QueryParams.single(params, "after");
            long after = afterText == null || afterText.isBlank() ? -1
                    : QueryParams.parseId(afterText, "parameter \"after\"");
            long tail = QueryParams.parseCount(params, "tail", 0, MAX_LIMIT);
            long limit = QueryParams.parseCount(params, "limit", DEFAULT_LIMIT, MAX_LIMIT);
            if (limit == 0) {
                throw new IllegalArgumentException("parameter \"limit\": must be at least 1");
            }
            long waitSeconds = QueryParams.parseCount(params, "wait", 0, MAX_WAIT_SECONDS);
            return new PollRequest(filter, after, tail, (int) limit, waitSeconds * 1000);
        }
    }

    /**
     * Starts the poll on the channel's loop. {@code onAnswer} sends the answer (keep-alive, CORS); the returned
     * runnable must be called if the connection closes first.
     */
    public Pending start(Channel channel, PollRequest request, HttpHeaders extraHeaders,
                         Consumer<FullHttpResponse> onAnswer) {
        PollWaiter waiter = new PollWaiter(channel, shards.shardFor(channel.eventLoop()), sequencer, metrics,
                request.filter(), request.limit(), request.waitMs(),
                (ch, events, last, gapFrom, gapTo) -> {
                    FullHttpResponse response = Responses.response(HttpResponseStatus.OK, Responses.JSON,
                            answerBody(ch, events, last, gapFrom, gapTo));
                    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                    if (extraHeaders != null) {
                        response.headers().add(extraHeaders);
                    }
                    onAnswer.accept(response);
                });
        waiter.start(request.after(), request.tail());
        return waiter;
    }

    /** A poll not answered yet, for its connection. On the connection's event loop. */
    public interface Pending {
        /** Answers at once with what the poll has so far, as if its {@code wait} had run out. */
        void answerNow();

        /** The connection closed before the answer: the poll stops waiting. */
        void closed();
    }

    static ByteBuf answerBody(Channel channel, List<ByteBuf> events, long last, long gapFrom, long gapTo) {
        CompositeByteBuf body = channel.alloc().compositeBuffer(events.size() * 2 + 2);
        body.addComponent(true, ascii(channel, "{\"events\":["));
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                body.addComponent(true, ascii(channel, ","));
            }
            body.addComponent(true, events.get(i));
        }
        String gap = gapFrom == 0 ? "null"
                : "{\"from\":\"" + Long.toUnsignedString(gapFrom) + "\",\"to\":\"" + Long.toUnsignedString(gapTo)
                        + "\"}";
        body.addComponent(true, ascii(channel, "],\"last\":\"" + Long.toUnsignedString(last) + "\",\"gap\":" + gap
                + "}"));
        return body;
    }

    private static ByteBuf ascii(Channel channel, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        return channel.alloc().buffer(bytes.length).writeBytes(bytes);
    }
}
