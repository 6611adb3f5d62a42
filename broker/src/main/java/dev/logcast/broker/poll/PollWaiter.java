package dev.logcast.broker.poll;

import dev.logcast.broker.core.EventFilter;
import dev.logcast.broker.core.EventRecord;
import dev.logcast.broker.core.ReplayChunk;
import dev.logcast.broker.core.ReplayRequest;
import dev.logcast.broker.core.Sequencer;
import dev.logcast.broker.core.Shard;
import dev.logcast.broker.core.ShardMember;
import dev.logcast.broker.metrics.BrokerMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@code GET /v1/poll}. It first asks the sequencer for retained events after {@code after}; if there are
 * none and it may wait, it joins its shard as a live member and answers with the first matching events that go by,
 * or with none when {@code wait} runs out. A waiting poll is an object on a shard and a scheduled timeout: no
 * thread waits for it.
 *
 * <p><b>Owner:</b> the channel's event loop. Not thread-safe.
 */
final class PollWaiter extends ShardMember implements PollService.Pending {
    private final Channel channel;
    private final Shard shard;
    private final Sequencer sequencer;
    private final BrokerMetrics metrics;
    private final int limit;
    /**
     * An answer from retention holds at most about this many bytes of events, whatever {@code limit} says (its
     * {@code last} tells the client where to go on): 10,000 events of 64 KiB would otherwise be built in memory
     * as one 640 MB answer.
     */
    static final long MAX_ANSWER_BYTES = 4 << 20;
    private final long waitMs;
    private final PollAnswerWriter answer;

    private final List<ByteBuf> collected = new ArrayList<>();
    private long cursor;
    private long gapFrom;
    private long gapTo;
    private boolean done;
    private boolean waiting;
    private ScheduledFuture<?> timeout;

    PollWaiter(Channel channel, Shard shard, Sequencer sequencer, BrokerMetrics metrics, EventFilter filter,
               int limit, long waitMs, PollAnswerWriter answer) {
        super(filter);
        this.channel = channel;
        this.shard = shard;
        this.sequencer = sequencer;
        this.metrics = metrics;
        this.limit = limit;
        this.waitMs = waitMs;
        this.answer = answer;
    }

    /**
     * Starts: after {@code after} ({@code -1}: from now, unless {@code tail > 0}). The waiter joins its shard (not
     * live) before it asks, so the sequencer keeps handing the shard the batches it may go live for.
     */
    void start(long after, long tail) {
        shard.add(this);
        if (after >= 0) {
            request(after, -1, false);
        } else if (tail > 0) {
            request(0, tail, false);
        } else {
            request(0, -1, true);
        }
    }

    private void request(long after, long tail, boolean fromNow) {
        sequencer.requestReplay(new ReplayRequest(shard, this, after, tail, limit, MAX_ANSWER_BYTES, fromNow));
    }

    @Override
    protected void onReplayChunk(ReplayChunk chunk) {
        if (done || !channel.isActive()) {
            chunk.release();
            finish();
            return;
        }
        if (chunk.hasGap() && gapFrom == 0) {
            gapFrom = chunk.gapFrom();
            gapTo = chunk.gapTo();
        }
        for (int i = 0; i < chunk.count(); i++) {
            EventRecord record = chunk.records()[i];
            collected.add(record.retainedJson());
            record.release();
        }
        cursor = chunk.cursor();
        if (!collected.isEmpty() || (chunk.caughtUp() && waitMs == 0)) {
            respond(cursor);
        } else if (!chunk.caughtUp()) {
            request(cursor, -1, false);
        } else {
            live = true;
            waiting = true;
            metrics.pollWaiting(1);
            timeout = channel.eventLoop().schedule(() -> respond(cursor), waitMs, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    protected boolean deliver(EventRecord record) {
        collected.add(record.retainedJson());
        if (collected.size() >= limit) {
            live = false;
            respond(record.id());
        }
        return false;
    }

    @Override
    protected void batchSeen(long lastId) {
        cursor = lastId;
        if (!collected.isEmpty()) {
            live = false;
            respond(lastId);
        }
    }

    @Override
    protected void endOfBatch() {
    }

    @Override
    protected void onDraining() {
        onShutdown();
    }

    @Override
    protected void onShutdown() {
        if (!done) {
            live = false;
            respond(cursor);
        }
    }

    @Override
    public void answerNow() {
        onShutdown();
    }

    /** The connection closed before the answer. */
    @Override
    public void closed() {
        if (!done) {
            done = true;
            releaseCollected();
            finish();
        }
    }

    private void respond(long last) {
        if (done) {
            return;
        }
        done = true;
        live = false;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (channel.isActive()) {
            answer.write(channel, collected, last, gapFrom, gapTo);
            collected.clear();
        } else {
            releaseCollected();
        }
        // never leave the shard while it may be iterating its members
        channel.eventLoop().execute(this::finish);
    }

    private void finish() {
        if (waiting) {
            waiting = false;
            metrics.pollWaiting(-1);
        }
        shard.remove(this);
    }

    private void releaseCollected() {
        for (ByteBuf b : collected) {
            b.release();
        }
        collected.clear();
    }
}
