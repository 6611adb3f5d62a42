package dev.logcast.broker.auth;

/**
 * What an authenticated request may do. {@link #ALL} is the grant of {@code auth.mode=none}; token grants (the
 * auth issue) narrow branches, types and pin the source. Immutable.
 *
 * @param subject       who (the token's {@code sub}), for logs and metrics
 * @param pinnedSource  the {@code src} claim: every written event's source, or {@code null}
 */
public record Grant(String subject, String pinnedSource) {
    public static final Grant ALL = new Grant("anonymous", null);
}
