package dev.logcast.broker.auth;

import java.util.Locale;

/**
 * What a request needs: {@code read} (stream, poll, metrics), {@code write} (ingest), {@code admin} (everything:
 * a token with {@code admin} passes every scope check).
 */
public enum Scope {
    READ, WRITE, ADMIN;

    /** The claim's name: {@code read}, {@code write}, {@code admin}. */
    public String claimName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The scope of a claim name, or {@code null} when it names none. */
    public static Scope ofClaim(String name) {
        for (Scope s : values()) {
            if (s.claimName().equals(name)) {
                return s;
            }
        }
        return null;
    }
}
