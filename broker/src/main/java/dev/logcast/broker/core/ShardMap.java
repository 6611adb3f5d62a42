package dev.logcast.broker.core;

import io.netty.channel.EventLoop;

/** Finds the shard of an event loop. Immutable after construction; any thread. */
public final class ShardMap {
    private final Shard[] shards;

    ShardMap(Shard[] shards) {
        this.shards = shards;
    }

    public Shard shardFor(EventLoop loop) {
        for (Shard shard : shards) {
            if (shard.loop() == loop) {
                return shard;
            }
        }
        throw new IllegalStateException("no shard for " + loop);
    }

    public Shard[] all() {
        return shards.clone();
    }

    public int size() {
        return shards.length;
    }
}
