package dev.logcast.broker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventFilterTest {
    /** warn, type api, branch team-a/feat, source checkout-svc, msg "Order PLACED for 42". */
    private static final LogEvent EVENT = new LogEvent(0, Level.WARN, "api", "checkout-svc", "team-a/feat",
            "Order PLACED for 42", null, null);

    static Stream<Arguments> queries() {
        return Stream.of(
                Arguments.of("", true),
                // branch: glob, OR within the parameter
                Arguments.of("branch=team-a/feat", true),
                Arguments.of("branch=team-a/*", true),
                Arguments.of("branch=*/feat", true),
                Arguments.of("branch=team-*/f*t", true),
                Arguments.of("branch=*", true),
                Arguments.of("branch=main", false),
                Arguments.of("branch=team-a", false),
                Arguments.of("branch=main,team-a/*", true),
                Arguments.of("branch=main&branch=team-a/*", true),
                Arguments.of("branch=main,dev", false),
                Arguments.of("branch=,team-a/feat,", true),
                // type: exact, case-folded
                Arguments.of("type=api", true),
                Arguments.of("type=API", true),
                Arguments.of("type=log", false),
                Arguments.of("type=log,api", true),
                Arguments.of("type=ap", false),
                // level: a minimum; several values keep the lowest
                Arguments.of("level=trace", true),
                Arguments.of("level=info", true),
                Arguments.of("level=warn", true),
                Arguments.of("level=WARN", true),
                Arguments.of("level=error", false),
                Arguments.of("level=fatal", false),
                Arguments.of("level=error,info", true),
                Arguments.of("level=error&level=fatal", false),
                // source: glob
                Arguments.of("source=checkout-svc", true),
                Arguments.of("source=*-svc", true),
                Arguments.of("source=billing-svc", false),
                Arguments.of("source=billing-svc,checkout-*", true),
                // q: case-insensitive substring of msg, OR
                Arguments.of("q=placed", true),
                Arguments.of("q=ORDER%20placed", true),
                Arguments.of("q=cancelled", false),
                Arguments.of("q=cancelled,42", true),
                Arguments.of("q=cancelled&q=for", true),
                // q is taken as sent: a space in it counts
                Arguments.of("q=%20placed", true),
                Arguments.of("q=%20order", false),
                Arguments.of("q=42%20", false),
                // other values lose the spaces around them (after a comma)
                Arguments.of("type=log,%20api", true),
                Arguments.of("branch=main,%20team-a/*", true),
                // AND across parameters
                Arguments.of("branch=team-a/*&type=api&level=warn&source=*-svc&q=order", true),
                Arguments.of("branch=team-a/*&type=log", false),
                Arguments.of("branch=main&type=api", false),
                Arguments.of("type=api&level=error", false),
                Arguments.of("source=*-svc&q=nothing", false),
                Arguments.of("branch=team-a/*&type=api&level=warn&source=*-svc&q=nothing", false),
                // unrelated parameters are not filters
                Arguments.of("tail=5&lastEventId=3&access_token=x", true));
    }

    @ParameterizedTest(name = "?{0} -> {1}")
    @MethodSource("queries")
    void matchesTheQuery(String query, boolean expected) {
        EventFilter filter = EventFilter.fromQuery(new QueryStringDecoder("/v1/stream?" + query).parameters());

        assertThat(filter.matches(EVENT)).isEqualTo(expected);
    }

    static Stream<Arguments> badQueries() {
        return Stream.of(
                Arguments.of("level=loud", "\"level\""),
                Arguments.of("type=Not%20A%20Type", "\"type\""),
                Arguments.of("type=" + "t".repeat(33), "\"type\""),
                Arguments.of("branch=a%20b", "\"branch\""),
                Arguments.of("branch=" + "b".repeat(129), "\"branch\""),
                Arguments.of("source=a%00b", "\"source\""),
                Arguments.of("branch=main%0d%0aX:%20y", "\"branch\""),
                Arguments.of("source=a?b", "\"source\""),
                // a value of only whitespace or control characters is refused, not read as no filter
                Arguments.of("branch=%00", "\"branch\""),
                Arguments.of("branch=%20", "\"branch\""),
                Arguments.of("source=%09", "\"source\""),
                Arguments.of("type=%0a", "\"type\""),
                Arguments.of("level=%20", "\"level\""));
    }

    @ParameterizedTest(name = "?{0}")
    @MethodSource("badQueries")
    void badValuesAreRefusedNamingTheParameter(String query, String parameter) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> EventFilter.fromQuery(new QueryStringDecoder("/v1/stream?" + query).parameters()))
                .withMessageContaining("parameter " + parameter);
    }

    /** q is case-insensitive beyond ASCII: every sigma meets every sigma, ß meets SS, İ meets i. */
    @ParameterizedTest(name = "q={1} in {0} -> {2}")
    @org.junit.jupiter.params.provider.CsvSource({
        "ΟΔΟΣ, σ, true", "ΟΔΟΣ, Σ, true", "οδος, ΟΔΟΣ, true", "Straße, STRASSE, true", "İstanbul, istanbul, true",
        "école, ÉCOLE, true", "ÉCOLE, école, true", "Straße, strasse, true", "ΟΔΟΣ, ο, true", "ΟΔΟΣ, x, false"})
    void qFoldsCaseBeyondAscii(String msg, String q, boolean expected) {
        LogEvent event = new LogEvent(0, Level.INFO, "log", "s", "b", msg, null, null);
        EventFilter filter = EventFilter.fromQuery(Map.of("q", List.of(q)));
        assertThat(filter.matches(event)).isEqualTo(expected);
    }

    @Test
    void allMatchesEveryLevel() {
        for (Level level : Level.values()) {
            assertThat(EventFilter.ALL.matches(new LogEvent(0, level, "log", "s", "b", "", null, null))).isTrue();
        }
    }

    @Test
    void emptyParametersAreNoFilter() {
        EventFilter filter = EventFilter.fromQuery(new QueryStringDecoder("/v1/stream?branch=&type=,&level=").parameters());

        assertThat(filter.branches()).isNull();
        assertThat(filter.types()).isNull();
        assertThat(filter.minLevel()).isEqualTo(Level.TRACE);
        assertThat(filter.matches(EVENT)).isTrue();
    }

    @Test
    void levelMinimumIsInclusiveAtEveryLevel() {
        Level[] levels = Level.values();
        for (Level min : levels) {
            EventFilter filter = EventFilter.fromQuery(
                    new QueryStringDecoder("/v1/stream?level=" + min.wireName()).parameters());
            for (Level level : levels) {
                LogEvent e = new LogEvent(0, level, "log", "s", "b", "", null, null);
                assertThat(filter.matches(e)).as("%s at minimum %s", level, min)
                        .isEqualTo(level.compareTo(min) >= 0);
            }
        }
    }
}
