package dev.logcast.broker.core;

/**
 * The sequencer's answer to a {@link ReplayRequest}. The receiving member owns one reference for each record
 * (on its block) and must release them (by writing them or with {@link #release()}).
 *
 * @param records   matching retained events, in id order
 * @param count     how many of {@code records} are used
 * @param gapFrom   first id that is no longer retained, or 0 when nothing was lost
 * @param gapTo     last id that is no longer retained, or 0
 * @param cursor    every event up to this id was considered: the next request resumes after it
 * @param caughtUp  the cursor is the newest id: every later event reaches the member live, through its shard
 */
public record ReplayChunk(
        ShardMember member, EventRecord[] records, int count, long gapFrom, long gapTo, long cursor,
        boolean caughtUp) {

    public boolean hasGap() {
        return gapFrom != 0;
    }

    /** Releases every frame reference the chunk holds. */
    public void release() {
        EventRecord.releaseAll(records, count);
    }
}
