package dev.logcast.broker.core;

/**
 * A member asks the sequencer for retained events after {@code afterId} (or for the last {@code tail} ones). The
 * answer, a {@link ReplayChunk}, comes back through the member's shard queue, behind every batch the sequencer
 * handed that shard before, so a member that is caught up can go live with no gap and no duplicate.
 *
 * @param afterId   resume point: events with greater ids are wanted; ignored when {@code tail >= 0}
 * @param tail      {@code >= 0}: start with the last {@code tail} matching events; {@code -1}: resume after afterId
 * @param maxEvents at most this many events in the answer
 * @param maxBytes  at most about this many frame bytes in the answer
 * @param fromNow   answer at once with no events, caught up at the newest id (a poll with no {@code after})
 */
public record ReplayRequest(
        Shard shard, ShardMember member, long afterId, long tail, int maxEvents, long maxBytes, boolean fromNow) {
}
