package dev.logcast.broker.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.protocol.EventJson;
import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The ring on one thread, with explicit times and unpooled frames whose reference counts tell what it holds. */
class RetentionRingTest {
    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);
    private static final long FIRST_ID = 1_000;

    private final List<EventRecord> made = new ArrayList<>();

    /** Checks that the test left no frame behind; releases whatever it did leave, so a failure is not also a leak. */
    @AfterEach
    void everyFrameIsReleased() {
        List<Long> left = new ArrayList<>();
        for (EventRecord r : made) {
            if (r.refCnt() > 0) {
                left.add(r.id());
                r.block().release(r.refCnt());
            }
        }
        assertThat(left).as("frames still referenced after the test").isEmpty();
    }

    @Test
    void boundByCountEvictsAndReleasesTheOldest() {
        RetentionRing ring = new RetentionRing(3, Long.MAX_VALUE, Long.MAX_VALUE);

        for (int i = 0; i < 5; i++) {
            ring.append(record(FIRST_ID + i, 0));
        }

        assertThat(ring.size()).isEqualTo(3);
        assertThat(ring.oldestId()).isEqualTo(FIRST_ID + 2);
        assertThat(ring.newestId()).isEqualTo(FIRST_ID + 4);
        assertThat(made.get(0).refCnt()).isZero();
        assertThat(made.get(1).refCnt()).isZero();
        assertThat(made.get(2).refCnt()).isEqualTo(1);
        assertThat(ring.bytes()).isEqualTo(frameBytes(2, 3, 4));
        ring.clear();
    }

    @Test
    void boundByBytesKeepsWhatFits() {
        EventRecord probe = record(FIRST_ID, 0);
        long oneFrame = probe.frameBytes();
        RetentionRing ring = new RetentionRing(100, oneFrame * 5 / 2, Long.MAX_VALUE);

        ring.append(probe);
        ring.append(record(FIRST_ID + 1, 0));
        assertThat(ring.size()).isEqualTo(2);
        ring.append(record(FIRST_ID + 2, 0));

        assertThat(ring.size()).isEqualTo(2);
        assertThat(ring.oldestId()).isEqualTo(FIRST_ID + 1);
        assertThat(ring.bytes()).isEqualTo(frameBytes(1, 2)).isLessThanOrEqualTo(oneFrame * 5 / 2);
        assertThat(probe.refCnt()).isZero();
        ring.clear();
    }

    @Test
    void aSingleEventLargerThanTheByteBoundIsStillKept() {
        RetentionRing ring = new RetentionRing(100, 10, Long.MAX_VALUE);

        ring.append(record(FIRST_ID, 0));
        ring.append(record(FIRST_ID + 1, 0));

        assertThat(ring.size()).isEqualTo(1);
        assertThat(ring.newestId()).isEqualTo(FIRST_ID + 1);
        ring.clear();
    }

    @Test
    void boundByAgeDropsWhatWasReceivedTooLongAgo() {
        RetentionRing ring = new RetentionRing(100, Long.MAX_VALUE, 1_000);
        ring.append(record(FIRST_ID, 10_000));
        ring.append(record(FIRST_ID + 1, 10_500));
        ring.append(record(FIRST_ID + 2, 11_000));

        ring.expire(11_000);
        assertThat(ring.size()).as("exactly max age old is kept").isEqualTo(3);
        ring.expire(11_001);
        assertThat(ring.size()).isEqualTo(2);
        assertThat(made.get(0).refCnt()).isZero();
        ring.expire(20_000);

        assertThat(ring.size()).isZero();
        assertThat(ring.bytes()).isZero();
        assertThat(ring.oldestId()).isZero();
        assertThat(ring.newestId()).isZero();
    }

    @Test
    void wrapsAroundItsArray() {
        RetentionRing ring = new RetentionRing(4, Long.MAX_VALUE, Long.MAX_VALUE);

        for (int i = 0; i < 11; i++) {
            ring.append(record(FIRST_ID + i, 0));
        }

        assertThat(ring.size()).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(ring.at(i).id()).isEqualTo(FIRST_ID + 7 + i);
        }
        ring.clear();
    }

    static Stream<Arguments> positions() {
        // ring holds FIRST_ID+2 .. FIRST_ID+6 (positions 0..4)
        return Stream.of(
                Arguments.of(0L, 0),
                Arguments.of(FIRST_ID, 0),
                Arguments.of(FIRST_ID + 1, 0),
                Arguments.of(FIRST_ID + 2, 1),
                Arguments.of(FIRST_ID + 4, 3),
                Arguments.of(FIRST_ID + 5, 4),
                Arguments.of(FIRST_ID + 6, 5),
                Arguments.of(FIRST_ID + 100, 5),
                Arguments.of(Long.MAX_VALUE, 5),
                // ids are unsigned: 2^64 - 1 is newer than everything too
                Arguments.of(-1L, 5));
    }

    @ParameterizedTest(name = "after {0} -> position {1}")
    @MethodSource("positions")
    void positionAfterIsTheFirstNewerRecord(long afterId, int position) {
        RetentionRing ring = new RetentionRing(5, Long.MAX_VALUE, Long.MAX_VALUE);
        for (int i = 0; i < 7; i++) {
            ring.append(record(FIRST_ID + i, 0));
        }

        int found = ring.positionAfter(afterId);
        ring.clear();

        assertThat(found).isEqualTo(position);
    }

    @Test
    void positionAfterInAnEmptyRingIsZero() {
        RetentionRing ring = new RetentionRing(5, Long.MAX_VALUE, Long.MAX_VALUE);

        assertThat(ring.positionAfter(0)).isZero();
        assertThat(ring.positionAfter(FIRST_ID)).isZero();
    }

    @Test
    void clearReleasesEveryFrameOnce() {
        RetentionRing ring = new RetentionRing(10, Long.MAX_VALUE, Long.MAX_VALUE);
        for (int i = 0; i < 6; i++) {
            ring.append(record(FIRST_ID + i, 0));
        }
        EventRecord shared = ring.at(2);
        shared.retain(); // a subscriber's reference

        ring.clear();

        assertThat(ring.size()).isZero();
        assertThat(ring.bytes()).isZero();
        assertThat(shared.refCnt()).isEqualTo(1);
        shared.release();
    }

    @Test
    void evictionLeavesOtherHoldersTheirReference() {
        RetentionRing ring = new RetentionRing(1, Long.MAX_VALUE, Long.MAX_VALUE);
        EventRecord first = record(FIRST_ID, 0);
        ring.append(first);
        first.retain(); // an EventBatch still in flight to a shard

        ring.append(record(FIRST_ID + 1, 0));

        assertThat(first.refCnt()).isEqualTo(1);
        first.release();
        ring.clear();
    }

    @Test
    void appendAllTakesCyclesInSharedBlocksAndGivesBackWhatItEvicts() {
        RetentionRing ring = new RetentionRing(5, Long.MAX_VALUE, Long.MAX_VALUE);
        EventRecord[] a = cycle(FIRST_ID, 3);
        EventRecord[] b = cycle(FIRST_ID + 3, 4);
        EventRecord[] c = cycle(FIRST_ID + 7, 5);

        ring.appendAll(a);
        ring.appendAll(b);
        assertThat(ring.size()).isEqualTo(5);
        assertThat(ring.oldestId()).isEqualTo(FIRST_ID + 2);
        assertThat(a[0].refCnt()).as("block a: two of its three records evicted").isEqualTo(1);
        assertThat(b[0].refCnt()).isEqualTo(4);

        ring.appendAll(c);
        assertThat(a[0].refCnt()).isZero();
        assertThat(b[0].refCnt()).isZero();
        assertThat(c[0].refCnt()).isEqualTo(5);
        for (int i = 0; i < 5; i++) {
            assertThat(ring.at(i).id()).isEqualTo(FIRST_ID + 7 + i);
        }
        assertThat(ring.newestId()).isEqualTo(FIRST_ID + 11);
        ring.clear();
        assertThat(c[0].refCnt()).isZero();
    }

    /** {@code count} records with ids from {@code first}, in one block holding one reference for each. */
    private EventRecord[] cycle(long first, int count) {
        long[] ids = new long[count];
        LogEvent[] events = new LogEvent[count];
        long[] received = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = first + i;
            events[i] = new LogEvent(0, Level.INFO, "log", "svc", "main", "event " + ids[i], null, null);
        }
        List<EventRecord> out = new ArrayList<>();
        SseFrames.records(ALLOC, ids, events, EventJson.encodeTails(events), received, count, out);
        made.addAll(out);
        return out.toArray(new EventRecord[0]);
    }

    private EventRecord record(long id, long receivedMillis) {
        LogEvent event = new LogEvent(receivedMillis, Level.INFO, "log", "svc", "main", "event " + id, null, null);
        EventRecord r = SseFrames.encode(ALLOC, id, event, EventJson.encodeTail(event), receivedMillis);
        made.add(r);
        return r;
    }

    private long frameBytes(int... indexes) {
        long sum = 0;
        for (int i : indexes) {
            sum += made.get(i).frameBytes();
        }
        return sum;
    }
}
