package dev.logcast.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueParsersTest {

    @Test
    void integerTakesWholeNumbersInItsRange() {
        ValueParser<Integer> parser = ValueParsers.integer(1, 10);
        assertThat(parser.parse("1")).isEqualTo(1);
        assertThat(parser.parse("10")).isEqualTo(10);
        assertThatThrownBy(() -> parser.parse("0")).hasMessage("is below the minimum 1");
        assertThatThrownBy(() -> parser.parse("11")).hasMessage("is above the maximum 10");
        assertThatThrownBy(() -> parser.parse("ten")).hasMessage("is not a whole number");
        assertThatThrownBy(() -> parser.parse("1.0")).hasMessage("is not a whole number");
        assertThatThrownBy(() -> parser.parse("99999999999")).hasMessage("is not a whole number");
    }

    @Test
    void portIsZeroTo65535() {
        ValueParser<Integer> parser = ValueParsers.port();
        assertThat(parser.parse("0")).isZero();
        assertThat(parser.parse("65535")).isEqualTo(65535);
        assertThatThrownBy(() -> parser.parse("65536")).hasMessage("is above the maximum 65535");
        assertThatThrownBy(() -> parser.parse("-1")).hasMessage("is below the minimum 0");
        assertThat(parser.label()).isEqualTo("port");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", "yes", "on"})
    void boolReadsTrue(String text) {
        assertThat(ValueParsers.bool().parse(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "False", "no", "off"})
    void boolReadsFalse(String text) {
        assertThat(ValueParsers.bool().parse(text)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "1", "", "t"})
    void boolRefusesAnythingElse(String text) {
        assertThatThrownBy(() -> ValueParsers.bool().parse(text)).hasMessage("is not a boolean (use true or false)");
    }

    @Test
    void oneOfReadsAnyCaseAndGivesLowerCase() {
        ValueParser<String> parser = ValueParsers.oneOf("none", "hmac");
        assertThat(parser.parse("HMAC")).isEqualTo("hmac");
        assertThat(parser.parse("none")).isEqualTo("none");
        assertThatThrownBy(() -> parser.parse("jwt")).hasMessage("is not one of none, hmac");
        assertThat(parser.label()).isEqualTo("none|hmac");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "0.0.0.0", "::", "::1", "fe80::1", "localhost", "broker-1.internal.example"})
    void bindAddressTakesLiteralsAndHostNames(String text) {
        assertThat(ValueParsers.bindAddress().parse(text)).isEqualTo(text);
    }

    @Test
    void bindAddressDropsIpv6Brackets() {
        assertThat(ValueParsers.bindAddress().parse("[::1]")).isEqualTo("::1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "local host", "-bad.example", "http://127.0.0.1", "127.0.0.1:7070", "a_b"})
    void bindAddressRefusesWhatCannotBeBound(String text) {
        assertThatThrownBy(() -> ValueParsers.bindAddress().parse(text))
                .hasMessage("is not an IP address or host name");
    }

    @Test
    void pathIsKeptAsGivenAndMustNotBeEmpty() {
        assertThat(ValueParsers.path().parse("./data")).isEqualTo(Path.of("./data"));
        assertThat(ValueParsers.path().parse("/var/lib/logcast")).isEqualTo(Path.of("/var/lib/logcast"));
        assertThatThrownBy(() -> ValueParsers.path().parse("")).hasMessageContaining("is empty");
        assertThatThrownBy(() -> ValueParsers.path().parse("a\0b")).hasMessage("is not a valid path");
    }

    @Test
    void optionalMakesEmptyTextNoValue() {
        ValueParser<Path> parser = ValueParsers.optional(ValueParsers.path());
        assertThat(parser.parse("")).isNull();
        assertThat(parser.parse("/etc/tls/cert.pem")).isEqualTo(Path.of("/etc/tls/cert.pem"));
        assertThat(parser.format(null)).isEmpty();
    }

    @Test
    void originsAreCommaSeparatedTrimmedLowerCasedAndDeduplicated() {
        ValueParser<List<String>> parser = ValueParsers.origins();
        assertThat(parser.parse("")).isEmpty();
        assertThat(parser.parse("https://App.Example.com, http://localhost:5173,,https://app.example.com"))
                .containsExactly("https://app.example.com", "http://localhost:5173");
        assertThat(parser.parse("*")).containsExactly("*");
        assertThat(parser.parse("http://[::1]:8080")).containsExactly("http://[::1]:8080");
        assertThat(parser.format(List.of("https://a.example", "https://b.example")))
                .isEqualTo("https://a.example,https://b.example");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://app.example.com/", "app.example.com", "ftp://example.com", "https://x.example/path",
            "https://x.example:port"})
    void originsRefuseWhatBrowsersNeverSendAsOrigin(String text) {
        assertThatThrownBy(() -> ValueParsers.origins().parse("https://ok.example," + text))
                .hasMessageContaining("\"" + text + "\", which is not an origin");
    }

    @Test
    void requireAddsAConditionWithItsProblem() {
        ValueParser<Integer> even = ValueParsers.integer(0, 100).require(n -> n % 2 == 0, "is odd");
        assertThat(even.parse("4")).isEqualTo(4);
        assertThatThrownBy(() -> even.parse("5")).hasMessage("is odd");
        assertThatThrownBy(() -> even.parse("x")).hasMessage("is not a whole number");
    }
}
