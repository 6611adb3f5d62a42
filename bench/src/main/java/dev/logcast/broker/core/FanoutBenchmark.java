package dev.logcast.broker.core;

import dev.logcast.broker.metrics.BrokerMetrics;
import dev.logcast.broker.stream.StreamSubscriber;
import dev.logcast.protocol.EventJson;
import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The broadcast hot path: a shard drains one {@link EventBatch} and delivers it to {@code subscribers} real
 * {@link StreamSubscriber}s with mixed filters (a quarter match everything, a quarter a branch glob, a quarter a
 * minimum level, a quarter a branch that never matches plus a text query), then flushes each subscriber once.
 * Each subscriber's channel is an {@code EmbeddedChannel} whose only handler releases what is written, so the
 * figure is the broker's cost: filter match, {@code retainedDuplicate()}, the pipeline write, the flush.
 *
 * <p>Scores are per delivered event ({@code @OperationsPerInvocation} is set at run time by the deliveries a batch
 * makes, see {@link #deliveriesPerOp}); run with {@code -prof gc} for {@code gc.alloc.rate.norm} per delivery:
 * {@code java -jar bench/target/logcast-bench.jar FanoutBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dio.netty.leakDetection.level=disabled"})
public class FanoutBenchmark {
    @Param({"1000"})
    int subscribers;

    @Param({"1", "100"})
    int eventsPerBatch;

    private EmbeddedChannel[] channels;
    private Shard shard;
    private EventRecord[] records;
    private long matchesPerBatch;

    @Setup
    public void setUp() {
        channels = new EmbeddedChannel[subscribers];
        for (int i = 0; i < subscribers; i++) {
            channels[i] = new EmbeddedChannel(new ReleasingSink());
        }
        shard = new Shard(0, channels[0].eventLoop());
        BrokerMetrics metrics = new BrokerMetrics();
        for (int i = 0; i < subscribers; i++) {
            EventFilter filter = switch (i % 4) {
                case 0 -> EventFilter.ALL;
                case 1 -> EventFilter.fromQuery(Map.of("branch", List.of("team-a/*")));
                case 2 -> EventFilter.fromQuery(Map.of("level", List.of("warn")));
                default -> EventFilter.fromQuery(Map.of("branch", List.of("other"), "q", List.of("timeout")));
            };
            // every subscriber gets its own channel; all share the shard of the benchmark thread
            StreamSubscriber s = new StreamSubscriber(channels[i], shard, null, filter, 4 << 20, 1_000, false,
                    metrics);
            s.start(-1, -1, false);
        }
        // as the sequencer does: the frames of one cycle back to back in one block
        records = new EventRecord[eventsPerBatch];
        LogEvent[] events = new LogEvent[eventsPerBatch];
        for (int i = 0; i < eventsPerBatch; i++) {
            events[i] = new LogEvent(System.currentTimeMillis(), Level.WARN, "log", "checkout-svc",
                    "team-a/feature-" + i, "order placed in 17 ms padded to about a hundred bytes....", null, null);
        }
        EventJson.Tails tails = EventJson.encodeTails(events);
        int blockBytes = 0;
        for (int i = 0; i < eventsPerBatch; i++) {
            blockBytes += SseFrames.frameSize(1_000 + i, tails.length(i));
        }
        ByteBuf block = PooledByteBufAllocator.DEFAULT.directBuffer(blockBytes, blockBytes);
        for (int i = 0; i < eventsPerBatch; i++) {
            records[i] = SseFrames.encodeInto(block, 1_000 + i, events[i], tails.bytes(), tails.offset(i),
                    tails.length(i), System.currentTimeMillis());
        }
        // the allocation's reference stays for the records, as the ring's would
        
        matchesPerBatch = (long) eventsPerBatch * (subscribers - subscribers / 4);
    }

    /** Deliveries one benchmark operation makes (for converting scores by hand if needed). */
    public long deliveriesPerOp() {
        return matchesPerBatch;
    }

    @Benchmark
    public void deliverBatch(Blackhole bh) {
        EventRecord.retainAll(records, records.length);
        shard.offer(new EventBatch(records.clone(), records.length, 1));
        shard.drain();
        bh.consume(shard.delivered());
    }

    @TearDown
    public void tearDown() {
        records[0].release();
        for (EmbeddedChannel c : channels) {
            c.finishAndReleaseAll();
        }
    }

    /** Stands for the socket: takes every write and releases it. */
    private static final class ReleasingSink extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            if (!promise.isVoid()) {
                promise.setSuccess();
            }
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
        }
    }
}
