package dev.logcast.broker.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GlobTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                // literal
                Arguments.of("main", "main", true),
                Arguments.of("main", "main2", false),
                Arguments.of("main", "mai", false),
                Arguments.of("main", "", false),
                Arguments.of("team-a/feat.1:x", "team-a/feat.1:x", true),
                // * alone (and runs of it)
                Arguments.of("*", "", true),
                Arguments.of("*", "anything/at:all", true),
                Arguments.of("**", "x", true),
                // * at the end
                Arguments.of("team-a/*", "team-a/", true),
                Arguments.of("team-a/*", "team-a/feat/deep", true),
                Arguments.of("team-a/*", "team-a", false),
                Arguments.of("team-a/*", "team-b/feat", false),
                // * at the start
                Arguments.of("*-svc", "checkout-svc", true),
                Arguments.of("*-svc", "-svc", true),
                Arguments.of("*-svc", "checkout-svc2", false),
                Arguments.of("*-svc", "svc", false),
                // * in the middle
                Arguments.of("team-*/main", "team-a/main", true),
                Arguments.of("team-*/main", "team-/main", true),
                Arguments.of("team-*/main", "team-a/b/main", true),
                Arguments.of("team-*/main", "team-a/mainx", false),
                Arguments.of("team-*/main", "xteam-a/main", false),
                // prefix and suffix must not share characters
                Arguments.of("ab*ab", "ab", false),
                Arguments.of("ab*ab", "aba", false),
                Arguments.of("ab*ab", "abab", true),
                Arguments.of("a*a", "a", false),
                Arguments.of("a*a", "aa", true),
                // several stars: parts in order, not overlapping
                Arguments.of("*a*b*", "xxaxxbxx", true),
                Arguments.of("*a*b*", "xxbxxaxx", false),
                Arguments.of("a*b*c", "abc", true),
                Arguments.of("a*b*c", "acb", false),
                Arguments.of("a*b*c", "abcbc", true),
                Arguments.of("a*bc*c", "abc", false),
                Arguments.of("*b*", "b", true),
                Arguments.of("*b*", "", false),
                Arguments.of("a**b", "ab", true),
                // case matters
                Arguments.of("Main", "main", false),
                Arguments.of("*SVC", "checkout-svc", false));
    }

    @ParameterizedTest(name = "\"{0}\" matches \"{1}\": {2}")
    @MethodSource("cases")
    void matches(String pattern, String value, boolean expected) {
        assertThat(Glob.compile(pattern).matches(value)).isEqualTo(expected);
    }

    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of("main", true, false),
                Arguments.of("*", false, true),
                Arguments.of("***", false, true),
                Arguments.of("a*", false, false),
                Arguments.of("*a", false, false));
    }

    @ParameterizedTest(name = "\"{0}\": literal {1}, everything {2}")
    @MethodSource("kinds")
    void literalAndEverything(String pattern, boolean literal, boolean everything) {
        Glob glob = Glob.compile(pattern);

        assertThat(glob.isLiteral()).isEqualTo(literal);
        assertThat(glob.matchesEverything()).isEqualTo(everything);
        assertThat(glob.pattern()).isEqualTo(pattern);
    }

    static Stream<Arguments> overlaps() {
        return Stream.of(
                Arguments.of("team-a/*", "team-a/x", true),
                Arguments.of("team-a/*", "team-b/x", false),
                Arguments.of("team-a/*", "team-*", true),
                Arguments.of("team-a/*", "*/main", true),
                Arguments.of("main", "main", true),
                Arguments.of("main", "dev", false),
                Arguments.of("*", "anything", true),
                Arguments.of("a*", "b*", false));
    }

    /** Conservative: a wrong "true" is allowed, a wrong "false" never; these pairs are exact either way. */
    @ParameterizedTest(name = "\"{0}\" may overlap \"{1}\": {2}")
    @MethodSource("overlaps")
    void mayOverlapIsSymmetricAndNeverMissesAnOverlap(String a, String b, boolean expected) {
        assertThat(Glob.compile(a).mayOverlap(Glob.compile(b))).isEqualTo(expected);
        assertThat(Glob.compile(b).mayOverlap(Glob.compile(a))).isEqualTo(expected);
    }
}
