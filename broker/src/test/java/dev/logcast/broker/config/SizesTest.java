package dev.logcast.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SizesTest {

    static Stream<Arguments> goodSizes() {
        return Stream.of(
                Arguments.of("65536", 65_536L),
                Arguments.of("1B", 1L),
                Arguments.of("4KiB", 4_096L),
                Arguments.of("8MiB", 8L << 20),
                Arguments.of("8mib", 8L << 20),
                Arguments.of("1 GiB", 1L << 30),
                Arguments.of("2TiB", 2L << 40),
                Arguments.of(" 0 ", 0L));
    }

    @ParameterizedTest
    @MethodSource("goodSizes")
    void parsesBytesBareOrWithABinaryUnit(String text, long bytes) {
        assertThat(Sizes.parseBytes(text)).isEqualTo(bytes);
    }

    static Stream<Arguments> badSizes() {
        return Stream.of(
                Arguments.of("8MB", "binary units"),
                Arguments.of("8k", "binary units"),
                Arguments.of("1G", "binary units"),
                Arguments.of("1.5MiB", "is not a size"),
                Arguments.of("-1", "is not a size"),
                Arguments.of("lots", "is not a size"),
                Arguments.of("", "is not a size"),
                Arguments.of("MiB", "is not a size"),
                Arguments.of("9999999TiB", "too large"));
    }

    @ParameterizedTest
    @MethodSource("badSizes")
    void refusesWhatIsNotASize(String text, String problem) {
        assertThatThrownBy(() -> Sizes.parseBytes(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem);
    }

    @Test
    void formatsInTheLargestBinaryUnitThatDividesExactly() {
        assertThat(Sizes.format(1L << 30)).isEqualTo("1GiB");
        assertThat(Sizes.format(256L << 20)).isEqualTo("256MiB");
        assertThat(Sizes.format(1536)).isEqualTo("1536B");
        assertThat(Sizes.format(1000)).isEqualTo("1000B");
        assertThat(Sizes.format(0)).isEqualTo("0B");
    }

    @Test
    void formattedSizesParseBack() {
        for (long bytes : new long[] {0, 1, 1000, 1024, 1536, 4L << 20, 1L << 40, Long.MAX_VALUE}) {
            assertThat(Sizes.parseBytes(Sizes.format(bytes))).isEqualTo(bytes);
        }
    }

    @Test
    void parserEnforcesItsRangeAndSaysTheBound() {
        ValueParser<Long> parser = Sizes.parser(256, 1L << 20);
        assertThat(parser.parse("256")).isEqualTo(256L);
        assertThatThrownBy(() -> parser.parse("255B")).hasMessage("is below the minimum 256B");
        assertThatThrownBy(() -> parser.parse("2MiB")).hasMessage("is above the maximum 1MiB");
        assertThat(parser.label()).isEqualTo("size");
    }
}
