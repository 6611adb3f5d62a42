package dev.logcast.broker.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.util.concurrent.TimeUnit;

/**
 * Tokens verified recently, so that a client posting an event per request pays the HMAC once: a Caffeine cache
 * bounded by {@code auth.cache.size}, keyed by the whole token text (nothing shorter: two tokens that share a
 * prefix are two entries), each entry dropped when its token expires. Only tokens that verified get in, so a
 * flood of forged tokens cannot push the good ones out. An entry remembers the key ring that verified it and
 * counts only while that ring is current, so a reload that drops a kid revokes its cached tokens at once.
 * Thread-safe; lock-free reads.
 */
final class VerifiedTokens {
    /** A verified token's answer and the ring that verified it. */
    private record Entry(AuthResult granted, KeyRing ring) {
    }

    private final Cache<String, Entry> cache;

    /** @param maxEntries most tokens remembered; 0 verifies every request */
    VerifiedTokens(int maxEntries) {
        this.cache = maxEntries <= 0 ? null : Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String token, Entry entry, long currentTime) {
                        long leftMs = entry.granted().grant().validUntilMillis() - System.currentTimeMillis();
                        return TimeUnit.MILLISECONDS.toNanos(Math.max(0, leftMs));
                    }

                    @Override
                    public long expireAfterUpdate(String token, Entry entry, long currentTime, long duration) {
                        return expireAfterCreate(token, entry, currentTime);
                    }

                    @Override
                    public long expireAfterRead(String token, Entry entry, long currentTime, long duration) {
                        return duration;
                    }
                })
                .build();
    }

    /**
     * The granted result of {@code token} when it was verified under {@code ring} and is still valid at
     * {@code nowMillis}; else {@code null}.
     */
    AuthResult get(String token, KeyRing ring, long nowMillis) {
        if (cache == null) {
            return null;
        }
        Entry e = cache.getIfPresent(token);
        if (e == null) {
            return null;
        }
        if (e.ring() != ring || e.granted().grant().validUntilMillis() < nowMillis) {
            cache.invalidate(token);
            return null;
        }
        return e.granted();
    }

    void put(String token, AuthResult granted, KeyRing ring) {
        if (cache != null) {
            cache.put(token, new Entry(granted, ring));
        }
    }

    void clear() {
        if (cache != null) {
            cache.invalidateAll();
        }
    }
}
