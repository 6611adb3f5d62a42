package dev.logcast.bench.load;

import io.netty.channel.Channel;

/**
 * One logical subscriber, kept across reconnects: its delivery tracker and the last event id it saw (sent back as
 * {@code Last-Event-ID} when it reconnects, as an EventSource would).
 *
 * <p><b>Owner:</b> the subscribers' event loop. Not thread-safe.
 */
final class SubscriberState {

    static final int MAX_ID_BYTES = 64;

    final int index;
    final DeliveryTracker tracker;
    final byte[] lastId = new byte[MAX_ID_BYTES];
    int lastIdLength;
    /** The first connection attempt has been settled: subscribed, refused or failed. */
    boolean initialSettled;
    boolean everSubscribed;
    /** Refused with a non-200 status: no further attempts. */
    boolean refused;
    Channel channel;

    SubscriberState(int index, int publishers) {
        this.index = index;
        this.tracker = new DeliveryTracker(publishers);
    }
}
