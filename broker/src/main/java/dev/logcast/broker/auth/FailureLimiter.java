package dev.logcast.broker.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Slows down guessing: each client address may fail authentication {@code auth.failures.per.minute} times in a
 * burst, then once every {@code 60 s / limit}; beyond that its requests get 429 with {@code Retry-After} until
 * its budget refills. Other addresses are not touched. The budget is GCRA (a leaky bucket as one "theoretical
 * arrival time" per address, ITU-T I.371), updated with a CAS: no lock.
 *
 * <p>An IPv6 client is counted by its /64, the block one host usually gets, so that it cannot walk its own
 * addresses. The per-address state is a Caffeine cache bounded at {@value #MAX_ADDRESSES} entries, dropped two
 * minutes after the last failure; under a flood from more addresses than that, the least active are forgotten
 * first. Thread-safe.
 */
final class FailureLimiter {
    static final int MAX_ADDRESSES = 100_000;
    private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final long intervalNanos;
    private final long burstNanos;
    private final LongSupplier nanoClock;
    private final Cache<Object, AtomicLong> arrivals;

    /** @param perMinute failures an address may make per minute (and in a burst); at least 1 */
    FailureLimiter(int perMinute, LongSupplier nanoClock) {
        this.intervalNanos = WINDOW_NANOS / perMinute;
        this.burstNanos = WINDOW_NANOS - intervalNanos;
        this.nanoClock = nanoClock;
        this.arrivals = Caffeine.newBuilder()
                .maximumSize(MAX_ADDRESSES)
                .expireAfterAccess(Duration.ofMinutes(2))
                .build();
    }

    /** The key an address is counted by: the IPv4 address, the IPv6 /64, or the address itself otherwise. */
    static Object keyOf(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            InetAddress address = inet.getAddress();
            if (address instanceof Inet6Address) {
                return ByteBuffer.wrap(address.getAddress()).getLong();
            }
            return address;
        }
        return remote == null ? "unknown" : remote;
    }

    /** Seconds the address must wait before its next try, or 0 when it may try now. */
    long retryAfterSeconds(Object address) {
        AtomicLong tat = arrivals.getIfPresent(address);
        if (tat == null) {
            return 0;
        }
        long overNanos = tat.get() - nanoClock.getAsLong() - burstNanos;
        return overNanos <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toSeconds(overNanos + 999_999_999L));
    }

    /** Counts a failed authentication of the address. */
    void failed(Object address) {
        AtomicLong tat = arrivals.get(address, k -> new AtomicLong(Long.MIN_VALUE));
        long now = nanoClock.getAsLong();
        long prev;
        long next;
        do {
            prev = tat.get();
            long from = prev == Long.MIN_VALUE || prev - now < 0 ? now : prev;
            next = from + intervalNanos;
        } while (!tat.compareAndSet(prev, next));
    }
}
