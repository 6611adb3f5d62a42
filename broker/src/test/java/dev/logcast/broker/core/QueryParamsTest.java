package dev.logcast.broker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QueryParamsTest {
    static Stream<Arguments> ids() {
        return Stream.of(
                Arguments.of("0", 0L),
                Arguments.of("42", 42L),
                Arguments.of(" 42 ", 42L),
                Arguments.of("007", 7L),
                Arguments.of("1795557608916196", 1795557608916196L),
                Arguments.of("9223372036854775806", Long.MAX_VALUE - 1),
                Arguments.of("9223372036854775807", Long.MAX_VALUE),
                // at or above 2^63: nothing is newer
                Arguments.of("9223372036854775808", Long.MAX_VALUE),
                Arguments.of("18446744073709551615", Long.MAX_VALUE),
                Arguments.of("00000000000000000001", 1L));
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @MethodSource("ids")
    void parseIdReadsUnsignedDecimal(String text, long expected) {
        assertThat(QueryParams.parseId(text, "header \"Last-Event-ID\"")).isEqualTo(expected);
    }

    static Stream<String> notIds() {
        return Stream.of("", " ", "-1", "+1", "1e3", "1.0", "abc", "0x10", "12 34", "١٢",
                "18446744073709551616", "99999999999999999999", "000000000000000000001");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("notIds")
    void parseIdRefusesAnythingElseNamingWhat(String text) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QueryParams.parseId(text, "parameter \"after\""))
                .withMessageStartingWith("parameter \"after\": ")
                .withMessageContaining("is not an event id");
    }

    @Test
    void singleTakesTheLastValue() {
        Map<String, List<String>> params = Map.of("tail", List.of("1", "2"), "empty", List.of());

        assertThat(QueryParams.single(params, "tail")).isEqualTo("2");
        assertThat(QueryParams.single(params, "empty")).isNull();
        assertThat(QueryParams.single(params, "absent")).isNull();
    }

    static Stream<Arguments> counts() {
        return Stream.of(
                Arguments.of(null, 5L),
                Arguments.of(" ", 5L),
                Arguments.of("0", 0L),
                Arguments.of("7", 7L),
                Arguments.of(" 7 ", 7L),
                Arguments.of("100", 30L),
                Arguments.of("99999999999999", 30L));
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @MethodSource("counts")
    void parseCountDefaultsAndCapsAtMax(String text, long expected) {
        Map<String, List<String>> params = text == null ? Map.of() : Map.of("wait", List.of(text));

        assertThat(QueryParams.parseCount(params, "wait", 5, 30)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("badCounts")
    void parseCountRefusesNegativeAndNonNumbers(String text) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QueryParams.parseCount(Map.of("tail", List.of(text)), "tail", 0, 10))
                .withMessageStartingWith("parameter \"tail\"");
    }

    static Stream<String> badCounts() {
        return Stream.of("-1", "many", "1.5", "0x10", "99999999999999999999");
    }
}
