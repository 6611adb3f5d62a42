package dev.logcast.broker.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StreamServiceTest {
    static Stream<Arguments> acceptEncodings() {
        return Stream.of(
                Arguments.of(null, false),
                Arguments.of("", false),
                Arguments.of("gzip", true),
                Arguments.of("GZIP", true),
                Arguments.of("x-gzip", true),
                Arguments.of("gzip, deflate, br", true),
                Arguments.of("br, gzip", true),
                Arguments.of("deflate", false),
                Arguments.of("br", false),
                Arguments.of("identity", false),
                Arguments.of("gzipx", false),
                Arguments.of("gzip;q=1.0", true),
                Arguments.of("gzip; q=0.5", true),
                Arguments.of("gzip;Q=0.001", true),
                Arguments.of("gzip;q=0", false),
                Arguments.of("gzip;q=0.0", false),
                Arguments.of("gzip;q=0.000", false),
                Arguments.of("gzip ; q=0", false),
                Arguments.of("br;q=1, gzip;q=0", false),
                Arguments.of("gzip;q=abc", false),
                Arguments.of("identity;q=0, gzip", true));
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @MethodSource("acceptEncodings")
    void acceptsGzipFollowsRfc9110(String acceptEncoding, boolean expected) {
        assertThat(StreamService.acceptsGzip(acceptEncoding)).isEqualTo(expected);
    }

    @Test
    void resumePointIsTheHeaderThenTheParameterElseMinusOne() {
        HttpHeaders header = new DefaultHttpHeaders().set("Last-Event-ID", "42");
        HttpHeaders none = new DefaultHttpHeaders();
        Map<String, List<String>> param = Map.of("lastEventId", List.of("7"));

        assertThat(StreamService.resumePoint(header, param)).isEqualTo(42);
        assertThat(StreamService.resumePoint(none, param)).isEqualTo(7);
        assertThat(StreamService.resumePoint(none, Map.of())).isEqualTo(-1);
        assertThat(StreamService.resumePoint(new DefaultHttpHeaders().set("Last-Event-ID", ""), param)).isEqualTo(7);
    }

    @Test
    void badResumePointNamesWhereItCameFrom() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> StreamService.resumePoint(new DefaultHttpHeaders().set("Last-Event-ID", "x"), Map.of()))
                .withMessageContaining("Last-Event-ID");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> StreamService.resumePoint(new DefaultHttpHeaders(),
                        Map.of("lastEventId", List.of("-3"))))
                .withMessageContaining("lastEventId");
    }
}
