package dev.logcast.bench.load;

import java.util.Arrays;

/**
 * Which (publisher, sequence) pairs the broker acknowledged: one growable bit set per publisher.
 *
 * <p><b>Owner:</b> the publishers' event loop while the run publishes; handed to the subscribers' loop once all
 * answers are in (through the loop's task queue, which orders the writes before the reads). Not thread-safe.
 */
final class AckedEvents {

    private final long[][] words;
    private final long[] highest;
    private long total;

    AckedEvents(int publishers) {
        words = new long[publishers][];
        highest = new long[publishers];
        Arrays.fill(highest, -1);
        for (int p = 0; p < publishers; p++) {
            words[p] = new long[1024];
        }
    }

    void add(int publisher, long firstSeq, int count) {
        long end = firstSeq + count;
        int lastWord = (int) ((end - 1) >>> 6);
        if (lastWord >= words[publisher].length) {
            words[publisher] = Arrays.copyOf(words[publisher], Math.max(lastWord + 1, words[publisher].length * 2));
        }
        long[] w = words[publisher];
        for (long s = firstSeq; s < end; s++) {
            w[(int) (s >>> 6)] |= 1L << s;
        }
        highest[publisher] = Math.max(highest[publisher], end - 1);
        total += count;
    }

    /** Highest acknowledged sequence of {@code publisher}, or -1. */
    long highest(int publisher) {
        return highest[publisher];
    }

    long total() {
        return total;
    }

    int publishers() {
        return words.length;
    }

    /** Acknowledged sequences of {@code publisher} in {@code [from, to)}; {@code to} may be {@link Long#MAX_VALUE}. */
    long count(int publisher, long from, long to) {
        long[] w = words[publisher];
        long end = Math.min(to, (long) w.length << 6);
        long n = 0;
        long s = from;
        while (s < end && (s & 63) != 0) {
            n += (w[(int) (s >>> 6)] >>> s) & 1;
            s++;
        }
        while (s + 64 <= end) {
            n += Long.bitCount(w[(int) (s >>> 6)]);
            s += 64;
        }
        while (s < end) {
            n += (w[(int) (s >>> 6)] >>> s) & 1;
            s++;
        }
        return n;
    }
}
