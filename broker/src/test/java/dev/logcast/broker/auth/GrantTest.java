package dev.logcast.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.core.EventFilter;
import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import dev.logcast.protocol.token.TokenClaims;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A token's limits against what a reader asks for and what a writer posts. */
class GrantTest {
    private static Grant grant(String scope, List<String> branches, List<String> types) {
        return Grant.of(new TokenClaims("t", List.of(scope), branches, types, 2_000_000_000L, 1L, null), 60);
    }

    private static LogEvent event(String branch, String type) {
        return new LogEvent(0, Level.INFO, type, "svc", branch, "m", null, null);
    }

    private static EventFilter filter(String query) {
        Map<String, List<String>> params = new java.util.HashMap<>();
        for (String pair : query.isEmpty() ? new String[0] : query.split("&")) {
            String[] kv = pair.split("=", 2);
            params.computeIfAbsent(kv[0], k -> new java.util.ArrayList<>()).add(kv[1]);
        }
        return EventFilter.fromQuery(params);
    }

    static Stream<Arguments> reads() {
        return Stream.of(
                // query, event branch, event type, visible
                Arguments.of("", "team-a/x", "log", true),
                Arguments.of("", "team-b", "log", false),
                Arguments.of("branch=*", "team-a/x", "log", true),
                Arguments.of("branch=*", "team-b/x", "log", false),
                Arguments.of("branch=team-*", "team-a/y", "log", true),
                Arguments.of("branch=team-*", "team-b/y", "log", false),
                Arguments.of("branch=team-a/x,team-b", "team-b", "log", false),
                Arguments.of("branch=team-a/x,team-b", "team-a/x", "log", true),
                Arguments.of("", "team-a/x", "metric", false),
                Arguments.of("type=log,metric", "team-a/x", "metric", false));
    }

    @ParameterizedTest(name = "{0}: {1} {2} -> {3}")
    @MethodSource("reads")
    void aLimitedReaderSeesTheIntersection(String query, String branch, String type, boolean visible) {
        EventFilter narrowed = grant("read", List.of("team-a/*"), List.of("log", "error")).narrow(filter(query));

        assertThat(narrowed.matches(event(branch, type))).isEqualTo(visible);
    }

    @Test
    void askingOnlyForForbiddenBranchesOrTypesIsRefused() {
        Grant g = grant("read", List.of("team-a/*"), List.of("log"));

        assertThat(g.narrow(filter("branch=team-b"))).isNull();
        assertThat(g.narrow(filter("branch=team-b/*,main"))).isNull();
        assertThat(g.narrow(filter("type=error"))).isNull();
        assertThat(g.narrow(filter("branch=team-a/x&type=log"))).isNotNull();
        assertThat(grant("read", List.of(), null).narrow(filter(""))).isNull();
    }

    @Test
    void anUnlimitedGrantLeavesTheFilterAsItIs() {
        EventFilter f = filter("branch=x");

        assertThat(grant("read", null, null).narrow(f)).isSameAs(f);
        assertThat(Grant.ALL.narrow(f)).isSameAs(f);
    }

    @Test
    void aWriterMayPostOnlyItsBranchesAndTypes() {
        Grant g = grant("write", List.of("team-a/*"), List.of("log"));

        assertThat(g.firstUnwritable(List.of(event("team-a/1", "log"), event("team-a/2", "log")))).isEqualTo(-1);
        assertThat(g.firstUnwritable(List.of(event("team-a/1", "log"), event("team-b", "log")))).isEqualTo(1);
        assertThat(g.whyUnwritable(event("team-b", "log"))).isEqualTo("the token may not write branch \"team-b\"");
        assertThat(g.whyUnwritable(event("team-a/1", "error"))).isEqualTo("the token may not write type \"error\"");
        assertThat(Grant.ALL.firstUnwritable(List.of(event("x", "y")))).isEqualTo(-1);
    }

    @Test
    void adminPassesEveryScopeButKeepsItsLimits() {
        Grant admin = grant("admin", List.of("team-a/*"), null);

        assertThat(admin.allows(Scope.READ)).isTrue();
        assertThat(admin.allows(Scope.WRITE)).isTrue();
        assertThat(admin.firstUnwritable(List.of(event("team-b", "log")))).isZero();
        assertThat(grant("read", null, null).allows(Scope.WRITE)).isFalse();
    }

    @Test
    void theGrantIsValidUntilExpiryPlusTheLeeway() {
        assertThat(grant("read", null, null).validUntilMillis()).isEqualTo((2_000_000_000L + 60) * 1000);
        assertThat(Grant.ALL.validUntilMillis()).isEqualTo(Long.MAX_VALUE);
    }
}
