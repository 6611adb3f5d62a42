package dev.logcast.bench.ceiling;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;

import java.util.ArrayList;
import java.util.List;

/**
 * The ceiling peer's subscribers and its only back-pressure: a publisher is not read while any subscriber is not
 * writable.
 *
 * <p><b>Owner:</b> the peer's one event loop. Not thread-safe.
 */
final class CeilingHub {

    private static final byte[] DATA = {'d', 'a', 't', 'a', ':', ' '};

    private final List<Channel> subscribers = new ArrayList<>();
    private final List<Channel> pausedPublishers = new ArrayList<>();
    private int blocked;

    void subscribe(Channel subscriber) {
        subscribers.add(subscriber);
    }

    void unsubscribe(Channel subscriber) {
        subscribers.remove(subscriber);
    }

    /** A subscriber went over its high-water mark: publishers are not read until it drains. */
    void block() {
        blocked++;
    }

    /** A subscriber that {@link #block() blocked} drained below its low-water mark, or closed. */
    void unblock() {
        if (--blocked == 0) {
            for (Channel publisher : pausedPublishers) {
                publisher.config().setAutoRead(true);
            }
            pausedPublishers.clear();
        }
    }

    /**
     * Writes the events of one POST body (lines; empty ones skipped) to every subscriber as SSE frames, encoded once
     * into one buffer and shared. Returns how many events the body held. The caller still owns {@code body}.
     */
    int publish(Channel publisher, ByteBuf body, ByteBufAllocator alloc) {
        int events = 0;
        int from = body.readerIndex();
        int end = body.writerIndex();
        ByteBuf frames = alloc.directBuffer(body.readableBytes() / 8 * 9 + 64);   // "data: " and "\n\n" per line
        while (from < end) {
            int eol = body.indexOf(from, end, (byte) '\n');
            int lineEnd = eol < 0 ? end : eol;
            if (lineEnd > from) {
                frames.writeBytes(DATA).writeBytes(body, from, lineEnd - from).writeByte('\n').writeByte('\n');
                events++;
            }
            from = lineEnd + 1;
        }
        for (int i = 0, n = subscribers.size(); i < n; i++) {
            Channel subscriber = subscribers.get(i);
            subscriber.writeAndFlush(frames.retainedDuplicate(), subscriber.voidPromise());
        }
        frames.release();
        if (blocked > 0 && publisher.config().isAutoRead()) {
            publisher.config().setAutoRead(false);
            pausedPublishers.add(publisher);
        }
        return events;
    }
}
