package dev.logcast.broker.auth;

import dev.logcast.protocol.token.HmacKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys of the key file, by kid: a token verifies when its kid is here and its signature matches that key.
 * Several keys allow rotation; a kid that is gone revokes its tokens. Immutable; a reload makes a new ring.
 */
public final class KeyRing {
    private final Map<String, HmacKey> byKid;
    private final HmacKey newest;

    /** @param keys in file order; kids are distinct (the key file's reader checks) */
    public KeyRing(List<HmacKey> keys) {
        Map<String, HmacKey> map = new LinkedHashMap<>();
        for (HmacKey key : keys) {
            if (map.put(key.kid(), key) != null) {
                throw new IllegalArgumentException("kid \"" + key.kid() + "\" appears twice");
            }
        }
        this.byKid = Map.copyOf(map);
        this.newest = keys.isEmpty() ? null : keys.get(keys.size() - 1);
    }

    /** The key of {@code kid}, or {@code null}. */
    public HmacKey get(String kid) {
        return byKid.get(kid);
    }

    /** The last key of the file (the one {@code logcast keygen} added last), or {@code null} when empty. */
    public HmacKey newest() {
        return newest;
    }

    public int size() {
        return byKid.size();
    }

    public boolean isEmpty() {
        return byKid.isEmpty();
    }

    /** The kids, for logs; never the secrets. */
    public String kids() {
        return String.join(", ", byKid.keySet().stream().sorted().toList());
    }
}
