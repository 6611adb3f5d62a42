package dev.logcast.broker.journal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The sparse index of one segment: for some records (the first, then one every {@code indexEveryBytes}), the id,
 * the file offset and the ordinal (records before it in the segment). On disk ({@code <firstId>.idx}) each entry is
 * 16 bytes, big-endian: {@code [u64 id][u32 offset][u32 ordinal]}; in memory the same two longs per entry.
 *
 * <p><b>Owner:</b> the journal's writer adds and truncates; readers on any thread call {@link #floor} and the
 * accessors. An entry is fully written before {@code count} (volatile) covers it, and a grown array is published
 * before the count that needs it, so a reader that reads {@code count} first sees complete entries.
 */
final class SegmentIndex {
    static final int ENTRY_BYTES = 16;

    /** {@code [id, offset << 32 | ordinal]} per entry. */
    private volatile long[] entries = new long[32];
    private volatile int count;

    int count() {
        return count;
    }

    /** Writer only. Ids, offsets and ordinals must increase. */
    void add(long id, long offset, int ordinal) {
        int n = count;
        long[] a = entries;
        if (2 * n + 2 > a.length) {
            a = Arrays.copyOf(a, a.length * 2);
            entries = a;
        }
        a[2 * n] = id;
        a[2 * n + 1] = offset << 32 | (ordinal & 0xffff_ffffL);
        count = n + 1;
    }

    /** Writer only: keeps the first {@code n} entries. */
    void truncate(int n) {
        if (n < count) {
            count = n;
        }
    }

    /** The last entry whose id is at most {@code id}, or -1. Any thread. */
    int floor(long id) {
        int n = count;
        long[] a = entries;
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (a[2 * mid] <= id) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** The first entry whose offset is above {@code offset}, or -1. Any thread. */
    int after(long offset) {
        int n = count;
        for (int entry = 0; entry < n; entry++) {
            if (offset(entry) > offset) {
                return entry;
            }
        }
        return -1;
    }

    long id(int entry) {
        return entries[2 * entry];
    }

    long offset(int entry) {
        return entries[2 * entry + 1] >>> 32;
    }

    int ordinal(int entry) {
        return (int) entries[2 * entry + 1];
    }

    /** Puts entry {@code entry} in its on-disk form. */
    void write(int entry, ByteBuffer out) {
        long[] a = entries;
        out.putLong(a[2 * entry]).putLong(a[2 * entry + 1]);
    }

    /** Reads one on-disk entry: {@code [id, packed offset and ordinal]}. */
    static long readId(ByteBuffer in, int entry) {
        return in.getLong(entry * ENTRY_BYTES);
    }

    static long readOffset(ByteBuffer in, int entry) {
        return in.getLong(entry * ENTRY_BYTES + 8) >>> 32;
    }

    static int readOrdinal(ByteBuffer in, int entry) {
        return (int) in.getLong(entry * ENTRY_BYTES + 8);
    }
}
