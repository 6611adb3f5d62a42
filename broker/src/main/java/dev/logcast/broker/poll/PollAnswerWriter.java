package dev.logcast.broker.poll;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.List;

/** Writes a poll's answer on its connection (the HTTP side: status, headers, keep-alive). On the loop. */
interface PollAnswerWriter {
    /**
     * @param events the events' JSON objects; the writer takes over their references
     * @param last   the id to pass as {@code after} next time
     * @param gapFrom first lost id, or 0
     * @param gapTo  last lost id, or 0
     */
    void write(Channel channel, List<ByteBuf> events, long last, long gapFrom, long gapTo);
}
