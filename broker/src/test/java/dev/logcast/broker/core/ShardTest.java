package dev.logcast.broker.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.metrics.BrokerMetrics;
import dev.logcast.broker.stream.StreamSubscriber;
import dev.logcast.protocol.EventJson;
import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shard's sliced rounds: cursors, replay chunks in queue order, members joining and leaving mid-round, release.
 * Most tests drive the shard step by step on an embedded loop ({@link Shard#step()} is one drain step: take the
 * queue, deliver one slice); the last ones run it on real loops, fed from another thread and from socket reads.
 * Every frame is a pooled slice with its own reference count: the test holds one (as the ring would) and each
 * batch one more, so after a test every frame must be back at one and every batch released exactly once.
 */
class ShardTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final long NO_TIME_LIMIT = Long.MAX_VALUE;

    private final EmbeddedChannel loopChannel = new EmbeddedChannel();
    private final List<EventRecord> made = new ArrayList<>();
    private final List<EventBatch> offered = new ArrayList<>();
    private long nextId = 1_000;

    @AfterEach
    void everyBatchIsReleasedOnceAndEveryFrameIsBackToTheTestsReference() {
        loopChannel.finishAndReleaseAll();
        List<String> problems = new ArrayList<>();
        for (EventBatch batch : offered) {
            if (batch.remainingShards() != 0) {
                problems.add("batch up to " + batch.lastId() + ": shardDone() owed " + batch.remainingShards());
            }
        }
        // references are counted on the blocks: each should hold exactly the test's one per record in it
        java.util.Map<ByteBuf, Integer> recordsPerBlock = new java.util.IdentityHashMap<>();
        for (EventRecord record : made) {
            recordsPerBlock.merge(record.block(), 1, Integer::sum);
        }
        recordsPerBlock.forEach((block, records) -> {
            int refs = block.refCnt();
            if (refs != records) {
                problems.add("a block of " + records + " records has " + refs + " references");
            }
            if (refs > 0) {
                block.release(refs);
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void everyLiveMemberGetsEveryBatchOnceInOrderWhileBatchesArriveBetweenSlices() {
        Shard shard = shard(3);
        List<RecordingMember> members = addMembers(shard, 10);
        Random random = new Random(7);
        List<Long> expected = new ArrayList<>();
        int stepsMidRound = 0;

        for (int i = 0; i < 300; i++) {
            int batches = random.nextInt(3);
            for (int b = 0; b < batches; b++) {
                expected.addAll(offer(shard, batch(1 + random.nextInt(3))));
            }
            shard.step();
            if (shard.roundPosition() > 0) {
                stepsMidRound++;
            }
        }
        shard.drain();

        for (RecordingMember m : members) {
            assertThat(m.ids).as(m.name).containsExactlyElementsOf(expected);
            assertThat(m.seen).as(m.name + " batchSeen").isSortedAccordingTo(Long::compare).doesNotHaveDuplicates()
                    .endsWith(expected.get(expected.size() - 1));
        }
        assertThat(stepsMidRound).as("steps that ended mid-round").isGreaterThan(100);
        int flushes = members.stream().mapToInt(m -> m.flushes).sum();
        assertThat(flushes).as("flushes: one per visit, several batches each")
                .isLessThan(offered.size() * members.size() / 2);
        assertThat(shard.delivered()).isEqualTo((long) expected.size() * members.size());
        assertThat(shard.backlogBatches()).isZero();
        assertThat(shard.backlog()).isZero();
    }

    /**
     * A member that cannot take more (its socket is full) is skipped: what it owes stays in the backlog, it hears
     * how far behind it is, the shard does not spin on it, and once it can take more it gets everything in order.
     */
    @Test
    void aMemberThatCannotTakeMoreKeepsWhatItOwesUntilItCan() {
        Shard shard = shard(8);
        RecordingMember reader = add(shard, new RecordingMember("reader", true));
        GatedMember gated = add(shard, new GatedMember("gated"));
        gated.ready = false;
        List<Long> expected = new ArrayList<>();
        expected.addAll(offer(shard, batch(3)));
        expected.addAll(offer(shard, batch(2)));

        loopChannel.runPendingTasks();
        shard.step();
        loopChannel.runPendingTasks();

        assertThat(reader.ids).containsExactlyElementsOf(expected);
        assertThat(gated.ids).isEmpty();
        assertThat(gated.isBlocked()).isTrue();
        assertThat(gated.lags).as("told what it owes").isNotEmpty();
        assertThat(gated.lags.get(gated.lags.size() - 1)).isGreaterThan(0);
        assertThat(shard.backlogBatches()).as("held back for the gated member").isEqualTo(2);
        assertThat(shard.backlogBytes()).isGreaterThan(0);

        expected.addAll(offer(shard, batch(1)));
        shard.step();
        loopChannel.runPendingTasks();
        gated.ready = true;
        shard.wakeup();
        loopChannel.runPendingTasks();

        assertThat(gated.ids).containsExactlyElementsOf(expected);
        assertThat(reader.ids).containsExactlyElementsOf(expected);
        assertThat(gated.isBlocked()).isFalse();
        assertThat(shard.backlogBatches()).isZero();
        assertThat(shard.backlogBytes()).isZero();
    }

    /** One visit gives at most VISIT_BYTES of frames (plus the batch that crosses it); the rest comes later. */
    @Test
    void aVisitGivesAtMostItsShareOfBytes() {
        Shard shard = shard(8);
        RecordingMember member = add(shard, new RecordingMember("member", true));
        List<Long> expected = new ArrayList<>();
        long batchBytes = 0;
        long total = 0;
        while (total < 3 * Shard.VISIT_BYTES) {
            EventBatch batch = batch(100);
            batchBytes = 0;
            for (int i = 0; i < batch.count; i++) {
                batchBytes += batch.records[i].frameBytes();
            }
            total += batchBytes;
            expected.addAll(offer(shard, batch));
        }

        shard.step();
        long firstVisit = member.ids.stream().mapToLong(id -> frameBytes(id)).sum();
        assertThat(firstVisit).isGreaterThan(0).isLessThanOrEqualTo(Shard.VISIT_BYTES + batchBytes);
        assertThat(member.ids.size()).isLessThan(expected.size());

        loopChannel.runPendingTasks();
        assertThat(member.ids).containsExactlyElementsOf(expected);
        assertThat(member.flushes).as("several visits").isGreaterThanOrEqualTo(3);
        assertThat(shard.backlogBatches()).isZero();
    }

    /**
     * The shard counts as congested (the sequencer then sheds ingest) when over a quarter of its members, and at
     * least CONGESTED_MIN, cannot keep up; one slow member alone never makes it so.
     */
    /** Once congested, the shard stays so until no more than an eighth of its members are slow. */
    @Test
    void congestionLastsUntilNoMoreThanAnEighthAreSlow() {
        Shard shard = shard(256);
        addMembers(shard, 70);
        List<GatedMember> gated = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            GatedMember g = add(shard, new GatedMember("gated" + i));
            g.ready = false;
            gated.add(g);
        }
        offer(shard, batch(2));
        shard.step();
        assertThat(shard.congested()).as("30 of 100 slow").isTrue();

        for (int i = 0; i < 15; i++) {
            gated.get(i).ready = true;
        }
        shard.wakeup();
        loopChannel.runPendingTasks();
        assertThat(shard.congested()).as("15 of 100 slow: under a quarter, over an eighth").isTrue();

        for (int i = 15; i < 18; i++) {
            gated.get(i).ready = true;
        }
        shard.wakeup();
        loopChannel.runPendingTasks();
        assertThat(shard.congested()).as("12 of 100 slow").isFalse();

        gated.forEach(g -> g.ready = true);
        shard.wakeup();
        loopChannel.runPendingTasks();
        assertThat(gated).allSatisfy(g -> assertThat(g.ids).hasSize(2));
        assertThat(shard.backlogBatches()).isZero();
    }

    @Test
    void manySlowMembersMakeTheShardCongestedOneDoesNot() {
        Shard shard = shard(64);
        addMembers(shard, 20);
        List<GatedMember> gated = new ArrayList<>();
        for (int i = 0; i < Shard.CONGESTED_MIN; i++) {
            gated.add(add(shard, new GatedMember("gated" + i)));
        }
        gated.get(0).ready = false;
        offer(shard, batch(2));
        shard.step();
        assertThat(shard.congested()).as("one slow member").isFalse();

        gated.forEach(g -> g.ready = false);
        offer(shard, batch(2));
        shard.step();
        assertThat(shard.congested()).as("%d of %d slow", gated.size(), 20 + gated.size()).isTrue();

        gated.forEach(g -> g.ready = true);
        shard.wakeup();
        loopChannel.runPendingTasks();
        assertThat(shard.congested()).isFalse();
        assertThat(gated).allSatisfy(g -> assertThat(g.ids).hasSize(4));
        assertThat(shard.backlogBatches()).isZero();
    }

    /**
     * Members that take nothing for a progress check are hopeless: they stop holding ingest (they overflow at their
     * cap instead), and hold it again once they read and fall behind again.
     */
    @Test
    void slowMembersThatTakeNothingForAProgressCheckStopHoldingIngest() {
        Shard shard = shard(64);
        addMembers(shard, 20);
        List<GatedMember> gated = new ArrayList<>();
        for (int i = 0; i < Shard.CONGESTED_MIN; i++) {
            gated.add(add(shard, new GatedMember("gated" + i)));
        }
        long t0 = 1_000_000_000L;
        shard.checkProgress(t0);
        gated.forEach(g -> g.ready = false);
        offer(shard, batch(2));
        shard.step();
        assertThat(shard.congested()).as("%d of %d slow", gated.size(), 20 + gated.size()).isTrue();

        shard.checkProgress(t0 + Shard.PROGRESS_CHECK_NANOS / 2);
        assertThat(shard.congested()).as("before a whole check's time").isTrue();
        shard.checkProgress(t0 + Shard.PROGRESS_CHECK_NANOS);
        assertThat(shard.congested()).as("they took nothing for %d ms", Shard.PROGRESS_CHECK_NANOS / 1_000_000)
                .isFalse();
        offer(shard, batch(2));
        shard.step();
        assertThat(shard.congested()).as("still hopeless while they take nothing").isFalse();

        gated.forEach(g -> g.ready = true);
        shard.wakeup();
        loopChannel.runPendingTasks();
        assertThat(gated).allSatisfy(g -> assertThat(g.ids).hasSize(4));
        gated.forEach(g -> g.ready = false);
        offer(shard, batch(2));
        shard.step();
        assertThat(shard.congested()).as("caught up, then slow again: they hold ingest again").isTrue();

        gated.forEach(g -> g.ready = true);
        shard.wakeup();
        loopChannel.runPendingTasks();
        assertThat(gated).allSatisfy(g -> assertThat(g.ids).hasSize(6));
        assertThat(shard.backlogBatches()).isZero();
    }

    @Test
    void backlogCountsQueuedAndUndeliveredBatches() {
        Shard shard = shard(1);
        addMembers(shard, 3);
        offer(shard, batch(1));
        offer(shard, batch(1));
        assertThat(shard.backlog()).isEqualTo(2);

        shard.step();
        assertThat(shard.roundPosition()).isEqualTo(1);
        assertThat(shard.backlog()).as("taken but not delivered to everyone").isEqualTo(2);
        offer(shard, batch(1));
        assertThat(shard.backlog()).isEqualTo(3);

        shard.drain();
        assertThat(shard.backlog()).isZero();
    }

    @Test
    void aMemberThatJoinsMidRoundGetsOnlyTheBatchesTakenAfterIt() {
        Shard shard = shard(2);
        List<RecordingMember> early = addMembers(shard, 6);
        List<Long> first = offer(shard, batch(2));
        shard.step();
        assertThat(shard.roundPosition()).as("mid-round, the first batch still in the backlog").isEqualTo(2);
        assertThat(shard.backlogBatches()).isEqualTo(1);

        RecordingMember joined = add(shard, new RecordingMember("joined", true));
        List<Long> second = offer(shard, batch(2));
        shard.step();
        // queued, not yet taken, when the next one joins: it is taken after, so that member gets it
        List<Long> third = offer(shard, batch(1));
        RecordingMember joinedWhileQueued = add(shard, new RecordingMember("joinedWhileQueued", true));
        shard.drain();

        for (RecordingMember m : early) {
            assertThat(m.ids).as(m.name).containsExactlyElementsOf(concat(first, second, third));
        }
        assertThat(joined.ids).containsExactlyElementsOf(concat(second, third));
        assertThat(joinedWhileQueued.ids).containsExactlyElementsOf(third);
    }

    @Test
    void aReplayChunkSkipsTheBatchesQueuedBeforeItAndGetsThoseAfter() {
        Shard shard = shard(1);
        RecordingMember a = add(shard, new RecordingMember("a", true));
        RecordingMember b = add(shard, new RecordingMember("b", true));
        RecordingMember replaying = add(shard, new RecordingMember("replaying", false));
        RecordingMember c = add(shard, new RecordingMember("c", true));
        List<Long> b1 = offer(shard, batch(2));
        shard.step();
        assertThat(shard.roundPosition()).isEqualTo(1);

        List<Long> b2 = offer(shard, batch(2));
        // the chunk covers everything handed out before it (here: the events of b1 and b2, and older ones)
        ReplayChunk chunk = chunk(replaying, true, b1, b2);
        shard.offer(chunk);
        List<Long> b3 = offer(shard, batch(3));
        shard.step();
        assertThat(replaying.live).isTrue();
        shard.drain();

        assertThat(replaying.log).containsExactlyElementsOf(concat(List.of("chunk"),
                events(b1), events(b2), events(b3), List.of("flush")));
        for (RecordingMember m : List.of(a, b, c)) {
            assertThat(m.ids).as(m.name).containsExactlyElementsOf(concat(b1, b2, b3));
        }
    }

    @Test
    void aChunkWaitingForAMemberThatIsNotLiveYetKeepsItFromLiveBatches() {
        Shard shard = shard(1);
        RecordingMember a = add(shard, new RecordingMember("a", true));
        RecordingMember replaying = add(shard, new RecordingMember("replaying", false));
        List<Long> b1 = offer(shard, batch(1));
        ReplayChunk notCaughtUp = chunk(replaying, false, b1);
        shard.offer(notCaughtUp);
        List<Long> b2 = offer(shard, batch(1));
        shard.drain();
        List<Long> b3 = offer(shard, batch(1));
        shard.offer(chunk(replaying, true, b2, b3));
        List<Long> b4 = offer(shard, batch(1));
        shard.drain();

        assertThat(replaying.log).containsExactlyElementsOf(concat(List.of("chunk"), events(b1), List.of("chunk"),
                events(b2), events(b3), events(b4), List.of("flush")));
        assertThat(a.ids).containsExactlyElementsOf(concat(b1, b2, b3, b4));
    }

    @Test
    void aLiveMemberGetsWhatCameBeforeAChunkFirst() {
        Shard shard = shard(1);
        RecordingMember a = add(shard, new RecordingMember("a", true));
        RecordingMember m = add(shard, new RecordingMember("m", true));
        List<Long> b1 = offer(shard, batch(2));
        shard.step();
        assertThat(m.ids).as("not visited yet").isEmpty();

        shard.offer(chunk(m, true));
        List<Long> b2 = offer(shard, batch(1));
        shard.drain();

        assertThat(m.log).containsExactlyElementsOf(concat(events(b1), List.of("flush", "chunk"), events(b2),
                List.of("flush")));
        assertThat(a.ids).containsExactlyElementsOf(concat(b1, b2));
    }

    @Test
    void aMemberMovedIntoAVisitedPlaceIsSkippedAndItsBatchHeldUntilTheNextRound() {
        Shard shard = shard(2);
        List<RecordingMember> ms = addMembers(shard, 5);
        RecordingMember first = ms.get(0);
        RecordingMember last = ms.get(4);
        List<Long> b1 = offer(shard, batch(2));
        EventBatch batch = offered.get(0);
        shard.step();
        assertThat(shard.roundPosition()).isEqualTo(2);

        shard.remove(first);
        assertThat(last.shardPosition).as("the last member took the gap").isZero();
        shard.step();
        assertThat(shard.roundPosition()).as("round finished").isZero();
        assertThat(last.ids).as("skipped in this round").isEmpty();
        assertThat(batch.remainingShards()).as("held back by the skipped member's cursor").isEqualTo(1);
        assertThat(shard.backlogBatches()).isEqualTo(1);

        shard.step();
        assertThat(batch.remainingShards()).isZero();
        assertThat(shard.backlogBatches()).isZero();
        for (RecordingMember m : ms) {
            assertThat(m.ids).as(m.name).containsExactlyElementsOf(b1);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void churnNeverLosesNorDuplicatesABatchAndReleasesEachOnce(long seed) {
        Random random = new Random(seed);
        Shard shard = shard(1 + random.nextInt(4));
        List<Long> batchIds = new ArrayList<>();
        List<Integer> batchStart = new ArrayList<>();
        List<RecordingMember> present = new ArrayList<>();
        List<RecordingMember> gone = new ArrayList<>();
        int taken = 0;
        int joined = 0;
        for (int i = 0; i < 400; i++) {
            int action = random.nextInt(10);
            if (action < 4) {
                batchStart.add(batchIds.size());
                batchIds.addAll(offer(shard, batch(1 + random.nextInt(3))));
            } else if (action < 6 || present.isEmpty()) {
                RecordingMember m = add(shard, new RecordingMember("m" + joined++, true));
                // it gets what is taken from the queue from now on
                m.expectedFrom = taken < batchStart.size() ? batchStart.get(taken) : batchIds.size();
                present.add(m);
            } else if (action < 7) {
                RecordingMember m = present.remove(random.nextInt(present.size()));
                shard.remove(m);
                gone.add(m);
            } else {
                shard.step();
                taken = batchStart.size();
            }
        }
        shard.drain();

        for (RecordingMember m : present) {
            assertThat(m.ids).as(m.name).containsExactlyElementsOf(batchIds.subList(m.expectedFrom, batchIds.size()));
        }
        for (RecordingMember m : gone) {
            List<Long> owed = batchIds.subList(m.expectedFrom, batchIds.size());
            assertThat(m.ids).as(m.name + " (left)").hasSizeLessThanOrEqualTo(owed.size());
            assertThat(m.ids).as(m.name + " (left)").containsExactlyElementsOf(owed.subList(0, m.ids.size()));
        }
        assertThat(shard.backlogBatches()).isZero();
    }

    @Test
    void withNoMembersBatchesAreReleasedAtOnce() {
        Shard shard = shard(2);
        offer(shard, batch(2));
        offer(shard, batch(1));
        shard.step();
        assertThat(shard.backlogBatches()).isZero();
        assertThat(offered).allSatisfy(b -> assertThat(b.remainingShards()).isZero());
    }

    @Test
    void shutdownDeliversAndFlushesWhatIsPendingBeforeTheGoodbye() {
        Shard shard = shard(1);
        List<RecordingMember> ms = addMembers(shard, 3);
        List<Long> b1 = offer(shard, batch(2));
        shard.step();
        assertThat(shard.roundPosition()).isEqualTo(1);
        List<Long> b2 = offer(shard, batch(1));

        shard.shutdownMembers();

        assertThat(ms.get(0).log).containsExactlyElementsOf(concat(events(b1), List.of("flush"), events(b2),
                List.of("flush", "shutdown")));
        for (RecordingMember m : ms.subList(1, 3)) {
            assertThat(m.log).as(m.name).containsExactlyElementsOf(concat(events(b1), events(b2),
                    List.of("flush", "shutdown")));
        }
        assertThat(shard.backlogBatches()).isZero();
    }

    @Test
    void discardReleasesTheBacklogAndTheQueue() {
        Shard shard = shard(1);
        RecordingMember m = add(shard, new RecordingMember("m", true));
        addMembers(shard, 2);
        offer(shard, batch(1));
        shard.step();
        offer(shard, batch(2));
        shard.offer(chunk(m, true, List.of(nextId - 1)));
        assertThat(shard.backlog()).isEqualTo(3);

        shard.discardQueued();

        assertThat(shard.backlog()).isZero();
    }

    @Test
    void aFailingMemberStopsReceivingAndTheOthersGoOn() {
        Shard shard = shard(2);
        RecordingMember a = add(shard, new RecordingMember("a", true));
        RecordingMember failing = add(shard, new RecordingMember("failing", true) {
            @Override
            protected boolean deliver(EventRecord record) {
                throw new IllegalStateException("boom");
            }
        });
        RecordingMember b = add(shard, new RecordingMember("b", true));
        List<Long> b1 = offer(shard, batch(1));
        List<Long> b2 = offer(shard, batch(1));
        shard.drain();

        assertThat(failing.live).isFalse();
        assertThat(failing.log).containsExactly("shutdown");
        assertThat(a.ids).containsExactlyElementsOf(concat(b1, b2));
        assertThat(b.ids).containsExactlyElementsOf(concat(b1, b2));
    }

    /** Stream subscribers get all the batches since their last visit as one write when the frames adjoin. */
    @Test
    void aStreamGetsAdjoiningBatchesAsOneWriteAndOneFlush() {
        Shard shard = shard(64);
        BrokerMetrics metrics = new BrokerMetrics();
        EmbeddedChannel all = new EmbeddedChannel();
        EmbeddedChannel someBranches = new EmbeddedChannel();
        new StreamSubscriber(all, shard, null, EventFilter.ALL, 1 << 20, 1_000, false, metrics).start(-1, -1, false);
        new StreamSubscriber(someBranches, shard, null,
                EventFilter.fromQuery(Map.of("branch", List.of("even"))), 1 << 20, 1_000, false, metrics)
                .start(-1, -1, false);
        List<EventBatch> batches = batchesInOneBlock(2, 3, 1);
        for (EventBatch batch : batches) {
            offer(shard, batch);
        }

        shard.step();

        List<ByteBuf> toAll = outbound(all);
        List<ByteBuf> toSome = outbound(someBranches);
        try {
            StringBuilder everything = new StringBuilder();
            for (EventRecord r : made) {
                everything.append(text(r.frame()));
            }
            assertThat(toAll).as("one slice for three batches").hasSize(1);
            assertThat(text(toAll.get(0))).isEqualTo(everything.toString());
            // even ids only: every match stands alone, one write each, all in one flush
            assertThat(toSome).hasSize(3);
            assertThat(toSome).extracting(ShardTest::text).containsExactly(
                    text(made.get(0).frame()), text(made.get(2).frame()), text(made.get(4).frame()));
        } finally {
            toAll.forEach(ByteBuf::release);
            toSome.forEach(ByteBuf::release);
            all.finishAndReleaseAll();
            someBranches.finishAndReleaseAll();
        }
        assertThat(shard.delivered()).isEqualTo(6 + 3);
    }

    /** Fed from another thread with wake-ups, as by the sequencer; on an I/O loop (tail tasks) and a plain one. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nio", "default"})
    void onARealLoopEverythingOfferedFromAnotherThreadArrivesOnceInOrder(String kind) throws Exception {
        EventLoopGroup group = loopGroup(kind);
        try {
            EventLoop loop = group.next();
            Shard shard = new Shard(0, loop, 2, 4, NO_TIME_LIMIT);
            List<RecordingMember> ms = loop.submit(() -> addMembers(shard, 25)).get(5, TimeUnit.SECONDS);
            List<Long> expected = new ArrayList<>();
            Random random = new Random(11);
            for (int i = 0; i < 2_000; i++) {
                EventBatch batch = batch(1 + random.nextInt(3));
                for (int r = 0; r < batch.count; r++) {
                    expected.add(batch.records[r].id());
                }
                offered.add(batch);
                shard.offer(batch);
                shard.wakeup();
                if (random.nextInt(50) == 0) {
                    Thread.sleep(1);
                }
            }
            awaitOnLoop(loop, () -> shard.backlog() == 0 && ms.stream().allMatch(m -> m.ids.size() == expected.size()));

            List<List<Long>> received = loop.submit(() -> ms.stream().map(m -> List.copyOf(m.ids)).toList())
                    .get(5, TimeUnit.SECONDS);
            for (List<Long> ids : received) {
                assertThat(ids).containsExactlyElementsOf(expected);
            }
            // idle again, a wake-up still starts a step
            List<Long> late = offer(shard, batch(1));
            shard.wakeup();
            awaitOnLoop(loop, () -> shard.backlog() == 0 && ms.stream().allMatch(m -> m.ids.size() == expected.size() + 1));
            assertThat(loop.submit(() -> ms.get(24).ids.get(expected.size())).get()).isEqualTo(late.get(0));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * {@code stream.linger}: an event after a quiet spell goes out at once; a wake-up soon after a step waits until
     * the linger has passed since that step began, and what came meanwhile goes out in that one step: one write and
     * one flush per member. (The bound checked is a lower one, which a slow machine cannot break; the linger is long
     * so that "at once" has room.)
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nio", "default"})
    void aWakeUpSoonAfterAStepWaitsForTheLingerAndWhatCameMeanwhileGoesOutTogether(String kind) throws Exception {
        EventLoopGroup group = loopGroup(kind);
        try {
            EventLoop loop = group.next();
            long linger = TimeUnit.SECONDS.toNanos(2);
            Shard shard = new Shard(0, loop, 64, 256, NO_TIME_LIMIT, linger);
            List<RecordingMember> ms = loop.submit(() -> addMembers(shard, 3)).get(5, TimeUnit.SECONDS);

            long start = System.nanoTime();
            List<Long> expected = new ArrayList<>(offer(shard, batch(1)));
            shard.wakeup();
            awaitOnLoop(loop, () -> ms.stream().allMatch(m -> m.ids.size() == 1));
            long firstAfter = System.nanoTime() - start;
            assertThat(firstAfter).as("the first event, after a quiet spell, waits for nothing").isLessThan(linger);

            expected.addAll(offer(shard, batch(1)));
            shard.wakeup();
            expected.addAll(offer(shard, batch(2)));
            shard.wakeup();
            int flushesBefore = loop.submit(() -> ms.get(0).flushes).get(5, TimeUnit.SECONDS);
            awaitOnLoop(loop, () -> ms.stream().allMatch(m -> m.ids.size() == 4));
            long restAfter = System.nanoTime() - start;

            assertThat(restAfter).as("the next ones wait for the linger since the first step").isGreaterThanOrEqualTo(
                    linger - TimeUnit.MILLISECONDS.toNanos(20));
            for (RecordingMember m : loop.submit(() -> ms).get(5, TimeUnit.SECONDS)) {
                assertThat(loop.submit(() -> List.copyOf(m.ids)).get()).containsExactlyElementsOf(expected);
                assertThat(loop.submit(() -> m.flushes).get()).as("one flush for the three events that lingered")
                        .isEqualTo(flushesBefore + 1);
            }
            assertThat(shard.backlog()).isZero();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * The point of slicing: on an I/O loop the sockets are read between the slices of a round, so batches made
     * from those reads arrive while the round is under way (and members visited later in it get them at once).
     */
    @Test
    void anIoLoopReadsItsSocketsBetweenTheSlicesOfARound() throws Exception {
        NioEventLoopGroup group = new NioEventLoopGroup(1);
        try {
            EventLoop loop = group.next();
            Shard shard = new Shard(0, loop, 1, 1, NO_TIME_LIMIT);
            List<RecordingMember> ms = loop.submit(() -> {
                List<RecordingMember> list = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    list.add(add(shard, new SlowMember("slow" + i)));
                }
                return list;
            }).get(5, TimeUnit.SECONDS);
            // batches made here; the loop offers one per socket read
            ConcurrentLinkedQueue<EventBatch> ready = new ConcurrentLinkedQueue<>();
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                EventBatch batch = batch(1);
                expected.add(batch.records[0].id());
                offered.add(batch);
                ready.add(batch);
            }
            AtomicInteger reads = new AtomicInteger();
            AtomicInteger readsMidRound = new AtomicInteger();
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ReferenceCountUtil.release(msg);
                            reads.incrementAndGet();
                            if (shard.roundPosition() > 0) {
                                readsMidRound.incrementAndGet();
                            }
                            EventBatch batch = ready.poll();
                            if (batch != null) {
                                // offered: recorded by the test thread when the batch was made
                                shard.offer(batch);
                                shard.wakeup();
                            }
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort())) {
                client.setTcpNoDelay(true);
                OutputStream out = client.getOutputStream();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!ready.isEmpty() && System.nanoTime() < deadline) {
                    out.write(1);
                    out.flush();
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500));
                }
                awaitOnLoop(loop, () -> shard.backlog() == 0
                        && ms.stream().allMatch(m -> m.ids.size() == expected.size()));
            } finally {
                server.close().sync();
            }
            List<List<Long>> received = loop.submit(() -> ms.stream().map(m -> List.copyOf(m.ids)).toList())
                    .get(5, TimeUnit.SECONDS);
            for (List<Long> ids : received) {
                assertThat(ids).containsExactlyElementsOf(expected);
            }
            assertThat(readsMidRound.get()).as("reads that happened while a round was under way (of %d)", reads.get())
                    .isGreaterThan(reads.get() / 4);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    // ---- helpers

    /** One loop: an I/O loop ({@code nio}, which runs tail tasks) or a plain one ({@code default}). */
    private static EventLoopGroup loopGroup(String kind) {
        return "nio".equals(kind) ? new NioEventLoopGroup(1) : new DefaultEventLoopGroup(1);
    }

    private Shard shard(int sliceFlushes) {
        return new Shard(0, loopChannel.eventLoop(), sliceFlushes, 4 * sliceFlushes, NO_TIME_LIMIT);
    }

    private static <M extends ShardMember> M add(Shard shard, M member) {
        shard.add(member);
        return member;
    }

    private static List<RecordingMember> addMembers(Shard shard, int n) {
        List<RecordingMember> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(add(shard, new RecordingMember("member" + i, true)));
        }
        return list;
    }

    private List<Long> offer(Shard shard, EventBatch batch) {
        offered.add(batch);
        shard.offer(batch);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < batch.count; i++) {
            ids.add(batch.records[i].id());
        }
        return ids;
    }

    /** A batch of {@code events} frames back to back in one block, as the sequencer encodes a cycle. */
    private EventBatch batch(int events) {
        return batchesInOneBlock(events).get(0);
    }

    /** Consecutive batches whose frames all lie back to back in one block. */
    private List<EventBatch> batchesInOneBlock(int... sizes) {
        int total = 0;
        for (int size : sizes) {
            total += size;
        }
        LogEvent[] events = new LogEvent[total];
        byte[][] tails = new byte[total][];
        int bytes = 0;
        for (int i = 0; i < total; i++) {
            long id = nextId + i;
            events[i] = new LogEvent(1_795_557_600_000L, Level.INFO, "log", "svc", id % 2 == 0 ? "even" : "odd",
                    "event " + id, null, null);
            tails[i] = EventJson.encodeTail(events[i]);
            bytes += SseFrames.frameSize(id, tails[i].length);
        }
        ByteBuf block = ALLOC.directBuffer(bytes, bytes);
        List<EventBatch> batches = new ArrayList<>();
        int e = 0;
        for (int size : sizes) {
            EventRecord[] records = new EventRecord[size];
            for (int i = 0; i < size; i++, e++) {
                records[i] = SseFrames.encodeInto(block, nextId++, events[e], tails[e], 0, tails[e].length, 0);
                made.add(records[i]);
                // the test's reference, as the ring's would be
                records[i].retain();
            }
            // the batch's references, as the sequencer takes them
            EventRecord.retainAll(records, size);
            batches.add(new EventBatch(records, size, 1));
        }
        block.release();
        return batches;
    }

    /** A replay chunk for {@code member} holding the given ids' frames (one reference each, as the sequencer's). */
    @SafeVarargs
    private ReplayChunk chunk(ShardMember member, boolean caughtUp, List<Long>... idLists) {
        List<EventRecord> records = new ArrayList<>();
        for (List<Long> ids : idLists) {
            for (long id : ids) {
                EventRecord record = made.stream().filter(r -> r.id() == id).findFirst().orElseThrow();
                record.retain();
                records.add(record);
            }
        }
        long cursor = records.isEmpty() ? nextId - 1 : records.get(records.size() - 1).id();
        return new ReplayChunk(member, records.toArray(new EventRecord[0]), records.size(), 0, 0, cursor, caughtUp);
    }

    private static List<ByteBuf> outbound(EmbeddedChannel channel) {
        List<ByteBuf> list = new ArrayList<>();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            list.add(b);
        }
        return list;
    }

    private static String text(ByteBuf buf) {
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static List<String> events(List<Long> ids) {
        return ids.stream().map(id -> "e" + id).toList();
    }

    @SafeVarargs
    private static <T> List<T> concat(List<? extends T>... lists) {
        List<T> all = new ArrayList<>();
        for (List<? extends T> list : lists) {
            all.addAll(list);
        }
        return all;
    }

    private static void awaitOnLoop(EventLoop loop, java.util.concurrent.Callable<Boolean> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!loop.submit(done).get(5, TimeUnit.SECONDS)) {
            assertThat(System.nanoTime()).as("delivery finished in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /**
     * Records what the shard gives it: the ids, in {@code log} also the chunks, flushes and the goodbye. It owns the
     * references of its chunks and releases them; it goes live on a chunk that is caught up, as a stream does.
     */
    static class RecordingMember extends ShardMember {
        final String name;
        final List<Long> ids = new ArrayList<>();
        final List<Long> seen = new ArrayList<>();
        final List<String> log = new ArrayList<>();
        int flushes;
        int expectedFrom;

        RecordingMember(String name, boolean live) {
            super(EventFilter.ALL);
            this.name = name;
            this.live = live;
        }

        @Override
        protected boolean deliver(EventRecord record) {
            ids.add(record.id());
            log.add("e" + record.id());
            return true;
        }

        @Override
        protected void batchSeen(long lastId) {
            seen.add(lastId);
        }

        @Override
        protected void endOfBatch() {
            flushes++;
            log.add("flush");
        }

        @Override
        protected void onReplayChunk(ReplayChunk chunk) {
            log.add("chunk");
            for (int i = 0; i < chunk.count(); i++) {
                log.add("e" + chunk.records()[i].id());
            }
            chunk.release();
            if (chunk.caughtUp()) {
                live = true;
            }
        }

        @Override
        protected void onShutdown() {
            live = false;
            log.add("shutdown");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A member whose socket may be full: {@code ready} says whether it takes more; it records what it owes. */
    static final class GatedMember extends RecordingMember {
        boolean ready = true;
        final List<Long> lags = new ArrayList<>();

        GatedMember(String name) {
            super(name, true);
        }

        @Override
        protected boolean ready() {
            return ready;
        }

        @Override
        protected void lagging(long lagBytes) {
            lags.add(lagBytes);
        }
    }

    private long frameBytes(long id) {
        return made.stream().filter(r -> r.id() == id).findFirst().orElseThrow().frameBytes();
    }

    /** A member whose every visit takes a while (a slow socket write), so that a round of them takes many ms. */
    static final class SlowMember extends RecordingMember {
        SlowMember(String name) {
            super(name, true);
        }

        @Override
        protected void endOfBatch() {
            long until = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(300);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            super.endOfBatch();
        }
    }
}
