package dev.logcast.broker.auth;

import dev.logcast.broker.core.EventFilter;
import dev.logcast.broker.core.Glob;
import dev.logcast.protocol.LogEvent;
import dev.logcast.protocol.token.TokenClaims;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What an authenticated request may do: its scopes, the branches and types it is limited to, the source it pins.
 * {@link #ALL} is the grant of {@code auth.mode=none}; a token's grant comes from its claims ({@link #of}).
 * Limits apply whatever the scope: {@code admin} passes every scope check, but a token minted with
 * {@code --branch team-a/*} stays limited to team-a. Immutable and safe to share between threads.
 */
public final class Grant {
    /** Everything, for everyone: {@code auth.mode=none}. */
    public static final Grant ALL = new Grant("anonymous", EnumSet.allOf(Scope.class), null, null, null,
            Long.MAX_VALUE);

    private final String subject;
    private final Set<Scope> scopes;
    private final Glob[] branches;
    private final String[] types;
    private final String pinnedSource;
    private final long validUntilMillis;

    private Grant(String subject, Set<Scope> scopes, Glob[] branches, String[] types, String pinnedSource,
                  long validUntilMillis) {
        this.subject = subject;
        this.scopes = scopes;
        this.branches = branches;
        this.types = types;
        this.pinnedSource = pinnedSource;
        this.validUntilMillis = validUntilMillis;
    }

    /**
     * The grant of verified claims.
     *
     * @param skewSeconds the leeway the verification gave {@code exp}; the grant is valid until {@code exp} plus it
     */
    public static Grant of(TokenClaims claims, long skewSeconds) {
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String name : claims.scopes()) {
            scopes.add(Scope.ofClaim(name));
        }
        Glob[] branches = null;
        if (claims.branches() != null) {
            List<String> globs = claims.branches();
            branches = new Glob[globs.size()];
            for (int i = 0; i < branches.length; i++) {
                branches[i] = Glob.compile(globs.get(i));
            }
        }
        String[] types = claims.types() == null ? null : claims.types().toArray(new String[0]);
        long until = Math.multiplyExact(Math.addExact(claims.exp(), skewSeconds), 1000L);
        return new Grant(claims.sub(), scopes, branches, types, claims.src(), until);
    }

    /** Who: the token's {@code sub}. */
    public String subject() {
        return subject;
    }

    /** The {@code src} claim: every written event's source, or {@code null}. */
    public String pinnedSource() {
        return pinnedSource;
    }

    /** Until when (epoch millis) the token verifies, leeway included; {@link Long#MAX_VALUE} for ever. */
    public long validUntilMillis() {
        return validUntilMillis;
    }

    /** Whether the grant has {@code needed}, or {@code admin}. */
    public boolean allows(Scope needed) {
        return scopes.contains(needed) || scopes.contains(Scope.ADMIN);
    }

    /** Whether the grant sees every branch and every type. */
    public boolean isUnlimited() {
        return branches == null && types == null;
    }

    /**
     * The filter a reader gets: what it asked for, intersected with the grant's branches and types; {@code null}
     * when what it asked for can only match events outside of them (a 403).
     */
    public EventFilter narrow(EventFilter requested) {
        if (isUnlimited()) {
            return requested;
        }
        if (!requested.mayMatchWithin(branches, types)) {
            return null;
        }
        return requested.limitedTo(branches, types);
    }

    /** The index of the first event the grant may not write (branch or type outside its limits), or -1. */
    public int firstUnwritable(List<LogEvent> events) {
        if (isUnlimited()) {
            return -1;
        }
        for (int i = 0; i < events.size(); i++) {
            if (whyUnwritable(events.get(i)) != null) {
                return i;
            }
        }
        return -1;
    }

    /** Why the grant may not write {@code event}, for the error body; {@code null} when it may. */
    public String whyUnwritable(LogEvent event) {
        if (types != null && !EventFilter.contains(types, event.type())) {
            return "the token may not write type \"" + event.type() + "\"";
        }
        if (branches != null && !Glob.anyMatch(branches, event.branch())) {
            return "the token may not write branch \"" + event.branch() + "\"";
        }
        return null;
    }


    @Override
    public String toString() {
        return "Grant[" + subject + " " + scopes + "]";
    }
}
