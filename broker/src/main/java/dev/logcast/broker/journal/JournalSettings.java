package dev.logcast.broker.journal;

/**
 * Sizes and limits of a {@link Journal}.
 *
 * @param segmentBytes    a segment file is closed and a new one started before it would grow past this (a single
 *                        larger record gets a segment of its own); 1 byte to 1 GiB
 * @param retentionBytes  whole oldest segments are deleted while the journal holds more; 0 or less: no limit
 * @param retentionAgeMs  whole oldest segments whose newest record was received longer ago are deleted; 0 or less:
 *                        no limit
 * @param indexEveryBytes the sparse index gets an entry for the first record at least this many bytes after the
 *                        previous entry (and for the first record of each segment)
 */
public record JournalSettings(long segmentBytes, long retentionBytes, long retentionAgeMs, int indexEveryBytes) {
    /** Segment offsets are stored as unsigned 32-bit numbers: a segment stays well under 4 GiB. */
    static final long MAX_SEGMENT_BYTES = 1L << 30;

    public JournalSettings {
        if (segmentBytes < 1 || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be 1 byte to 1 GiB: " + segmentBytes);
        }
        if (indexEveryBytes < 1) {
            throw new IllegalArgumentException("indexEveryBytes must be positive: " + indexEveryBytes);
        }
    }

    /** 64 MiB segments, an index entry every 4 KiB. */
    public static JournalSettings defaults(long retentionBytes, long retentionAgeMs) {
        return new JournalSettings(64L << 20, retentionBytes, retentionAgeMs, 4 << 10);
    }
}
