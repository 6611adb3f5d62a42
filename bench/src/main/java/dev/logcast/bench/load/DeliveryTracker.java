package dev.logcast.bench.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One subscriber's view of each publisher's sequence: what arrived, what was skipped, what came twice.
 *
 * <p>In-order delivery costs one compare. A skipped range is remembered as a gap; a later arrival from a gap is a
 * reordered delivery, any other arrival at or below the next expected sequence is a duplicate. What is lost is only
 * known at the end, against the acknowledged set: acknowledged sequences still in a gap or beyond the last arrival.
 *
 * <p><b>Owner:</b> the subscribers' event loop. Not thread-safe.
 */
final class DeliveryTracker {

    static final int FRESH = 0;
    static final int LATE = 1;
    static final int DUPLICATE = 2;

    private final long[] next;
    private final List<TreeMap<Long, Long>> gaps;
    private int gapCount;
    long duplicates;
    long reordered;

    DeliveryTracker(int publishers) {
        next = new long[publishers];
        gaps = new ArrayList<>(Collections.nCopies(publishers, null));
    }

    int onDelivery(int publisher, long seq) {
        long expected = next[publisher];
        if (seq == expected) {
            next[publisher] = seq + 1;
            return FRESH;
        }
        if (seq > expected) {
            gapsOf(publisher).put(expected, seq);
            gapCount++;
            next[publisher] = seq + 1;
            return FRESH;
        }
        if (gapCount > 0 && removeFromGap(publisher, seq)) {
            reordered++;
            return LATE;
        }
        duplicates++;
        return DUPLICATE;
    }

    /** Whether every acknowledged event has arrived; cheap when nothing was skipped. */
    boolean complete(AckedEvents acked) {
        for (int p = 0; p < next.length; p++) {
            if (next[p] <= acked.highest(p)) {
                return false;
            }
        }
        return gapCount == 0 || lost(acked) == 0;
    }

    /** Acknowledged events that never arrived. */
    long lost(AckedEvents acked) {
        long lost = 0;
        for (int p = 0; p < next.length; p++) {
            lost += acked.count(p, next[p], Long.MAX_VALUE);
            if (gaps.get(p) != null) {
                for (Map.Entry<Long, Long> gap : gaps.get(p).entrySet()) {
                    lost += acked.count(p, gap.getKey(), gap.getValue());
                }
            }
        }
        return lost;
    }

    private TreeMap<Long, Long> gapsOf(int publisher) {
        TreeMap<Long, Long> ranges = gaps.get(publisher);
        if (ranges == null) {
            ranges = new TreeMap<>();
            gaps.set(publisher, ranges);
        }
        return ranges;
    }

    private boolean removeFromGap(int publisher, long seq) {
        TreeMap<Long, Long> ranges = gaps.get(publisher);
        if (ranges == null) {
            return false;
        }
        Map.Entry<Long, Long> range = ranges.floorEntry(seq);
        if (range == null || seq >= range.getValue()) {
            return false;
        }
        long start = range.getKey();
        long end = range.getValue();
        ranges.remove(start);
        gapCount--;
        if (start < seq) {
            ranges.put(start, seq);
            gapCount++;
        }
        if (seq + 1 < end) {
            ranges.put(seq + 1, end);
            gapCount++;
        }
        return true;
    }
}
