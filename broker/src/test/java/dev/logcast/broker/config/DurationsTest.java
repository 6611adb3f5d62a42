package dev.logcast.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DurationsTest {

    static Stream<Arguments> goodDurations() {
        return Stream.of(
                Arguments.of("250ms", 250L),
                Arguments.of("15s", 15_000L),
                Arguments.of("1m", 60_000L),
                Arguments.of("24h", 86_400_000L),
                Arguments.of("0", 0L),
                Arguments.of("0s", 0L),
                Arguments.of("15 S", 15_000L),
                Arguments.of(" 3s ", 3_000L),
                Arguments.of("90m", 5_400_000L));
    }

    @ParameterizedTest
    @MethodSource("goodDurations")
    void parsesAWholeNumberWithAUnit(String text, long ms) {
        assertThat(Durations.parseMs(text)).isEqualTo(ms);
    }

    static Stream<Arguments> badDurations() {
        return Stream.of(
                Arguments.of("fast", "is not a duration"),
                Arguments.of("", "is not a duration"),
                Arguments.of("1.5s", "is not a duration"),
                Arguments.of("-1s", "is not a duration"),
                Arguments.of("15d", "is not a duration"),
                Arguments.of("s", "is not a duration"),
                Arguments.of("15", "needs a unit"),
                Arguments.of("9999999999999999h", "too large"),
                Arguments.of("99999999999999999999ms", "too large"));
    }

    @ParameterizedTest
    @MethodSource("badDurations")
    void refusesWhatIsNotAWholeNumberWithAUnit(String text, String problem) {
        assertThatThrownBy(() -> Durations.parseMs(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem);
    }

    @Test
    void formatsInTheLargestUnitThatDividesExactly() {
        assertThat(Durations.format(86_400_000L)).isEqualTo("24h");
        assertThat(Durations.format(60_000L)).isEqualTo("1m");
        assertThat(Durations.format(90_000L)).isEqualTo("90s");
        assertThat(Durations.format(1_500L)).isEqualTo("1500ms");
        assertThat(Durations.format(0L)).isEqualTo("0ms");
    }

    @Test
    void formattedDurationsParseBack() {
        for (long ms : new long[] {0, 1, 999, 1000, 61_000, 3_600_000, 90_061_001}) {
            assertThat(Durations.parseMs(Durations.format(ms))).isEqualTo(ms);
        }
    }

    @Test
    void parserEnforcesItsRangeAndSaysTheBound() {
        ValueParser<Long> parser = Durations.parser(100, 3_600_000);
        assertThat(parser.parse("100ms")).isEqualTo(100L);
        assertThat(parser.parse("1h")).isEqualTo(3_600_000L);
        assertThatThrownBy(() -> parser.parse("99ms")).hasMessage("is below the minimum 100ms");
        assertThatThrownBy(() -> parser.parse("61m")).hasMessage("is above the maximum 1h");
        assertThat(parser.label()).isEqualTo("duration");
    }
}
