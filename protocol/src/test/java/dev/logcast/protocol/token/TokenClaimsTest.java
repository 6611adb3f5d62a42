package dev.logcast.protocol.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenClaimsTest {
    private static TokenClaims read(String json) {
        return TokenClaims.fromJson(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void jsonRoundTripsInTheContractsNames() {
        TokenClaims claims = new TokenClaims("ci", List.of("write"), List.of("team-a/*", "main"), List.of("log"),
                200, 100, "checkout-svc");

        String json = new String(claims.toJson(), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"sub\":\"ci\",\"scope\":[\"write\"],\"branches\":[\"team-a/*\",\"main\"],"
                + "\"types\":[\"log\"],\"iat\":100,\"exp\":200,\"src\":\"checkout-svc\"}");
        assertThat(read(json)).isEqualTo(claims);
    }

    @Test
    void absentLimitsAreNull() {
        TokenClaims claims = read("{\"sub\":\"a\",\"scope\":[\"read\"],\"iat\":1,\"exp\":2}");

        assertThat(claims.branches()).isNull();
        assertThat(claims.types()).isNull();
        assertThat(claims.src()).isNull();
    }

    @Test
    void aSpaceSeparatedScopeStringIsReadAsOAuthWritesIt() {
        assertThat(read("{\"sub\":\"a\",\"scope\":\"read  write\",\"iat\":1,\"exp\":2}").scopes())
                .containsExactly("read", "write");
    }

    @Test
    void unknownClaimsAreIgnored() {
        assertThat(read("{\"sub\":\"a\",\"scope\":[\"read\"],\"iat\":1,\"exp\":2,\"aud\":{\"x\":[1,2]},\"n\":null}")
                .sub()).isEqualTo("a");
    }

    static Stream<Arguments> refused() {
        String base = "\"sub\":\"a\",\"iat\":1,\"exp\":2";
        return Stream.of(
                Arguments.of("{" + base + "}", "claim \"scope\": at least one"),
                Arguments.of("{" + base + ",\"scope\":[]}", "claim \"scope\": at least one"),
                Arguments.of("{" + base + ",\"scope\":[\"root\"]}", "\"root\" is not read, write or admin"),
                Arguments.of("{" + base + ",\"scope\":[\"read\"],\"branches\":null}", "\"branches\" must be an array"),
                Arguments.of("{" + base + ",\"scope\":[\"read\"],\"branches\":\"team-a\"}", "must be an array"),
                Arguments.of("{" + base + ",\"scope\":[\"read\"],\"branches\":[\"a b\"]}", "is not a glob"),
                Arguments.of("{" + base + ",\"scope\":[\"read\"],\"types\":[\"Log\"]}", "is not a type"),
                Arguments.of("{" + base + ",\"scope\":[\"read\"],\"types\":[1]}", "must be an array of strings"),
                Arguments.of("{" + base + ",\"scope\":[\"read\"],\"src\":\"a*\"}", "is not a source name"),
                Arguments.of("{" + base + ",\"scope\":[\"read\"],\"src\":null}", "\"src\" must be a string"),
                Arguments.of("{\"sub\":\"a\",\"iat\":1,\"scope\":[\"read\"]}", "\"exp\" is missing"),
                Arguments.of("{\"sub\":\"a\",\"exp\":1,\"scope\":[\"read\"]}", "\"iat\" is missing"),
                Arguments.of("{\"sub\":\"a\",\"iat\":1,\"exp\":2.5,\"scope\":[\"read\"]}", "whole epoch seconds"),
                Arguments.of("{\"sub\":\"a\",\"iat\":1,\"exp\":\"2\",\"scope\":[\"read\"]}", "whole epoch seconds"),
                Arguments.of("{\"sub\":\"a\",\"iat\":1,\"exp\":-2,\"scope\":[\"read\"]}", "out of range"),
                Arguments.of("{\"sub\":\"a\",\"iat\":1,\"exp\":99999999999999999999,\"scope\":[\"read\"]}",
                        "whole epoch seconds"),
                Arguments.of("{\"iat\":1,\"exp\":2,\"scope\":[\"read\"]}", "claim \"sub\""),
                Arguments.of("{\"sub\":\"\",\"iat\":1,\"exp\":2,\"scope\":[\"read\"]}", "claim \"sub\""),
                Arguments.of("{\"sub\":\"a\\u0000\",\"iat\":1,\"exp\":2,\"scope\":[\"read\"]}", "claim \"sub\""),
                Arguments.of("{" + base + ",\"scope\":[\"read\"],\"exp\":99}", "not valid JSON"),
                Arguments.of("{" + base + ",\"scope\":[\"read\"]} {}", "not one JSON object"),
                Arguments.of("[1]", "not a JSON object"),
                Arguments.of("{" + base + ",\"scope\":[\"read\"]", "not valid JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void claimsThatWouldWidenOrBlurAGrantAreRefused(String json, String message) {
        assertThatThrownBy(() -> read(json)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
