package dev.logcast.broker.config;

import java.util.function.Predicate;

/**
 * Turns the text form of one configuration value into its typed value, and back.
 *
 * <p>{@link #parse} throws {@link IllegalArgumentException} whose message is the problem as a predicate of the
 * quoted text, e.g. {@code is not a duration (use ms, s, m or h, e.g. 15s)}; {@link ConfigLoader} prefixes the key
 * and the text, and appends the source. {@link #format} gives a text that parses back to the same value.
 *
 * @param <T> the value type
 */
public interface ValueParser<T> {

    /** The typed value of {@code text} (already trimmed); throws {@link IllegalArgumentException} when bad. */
    T parse(String text);

    /** The text form of {@code value}, which {@link #parse} turns back into an equal value. */
    String format(T value);

    /** What a value looks like, for the flag's parameter label: {@code duration}, {@code none|hmac}, ... */
    String label();

    /** This parser, also rejecting values for which {@code ok} is false with {@code problem}. */
    default ValueParser<T> require(Predicate<? super T> ok, String problem) {
        ValueParser<T> parser = this;
        return new ValueParser<>() {
            @Override
            public T parse(String text) {
                T value = parser.parse(text);
                if (!ok.test(value)) {
                    throw new IllegalArgumentException(problem);
                }
                return value;
            }

            @Override
            public String format(T value) {
                return parser.format(value);
            }

            @Override
            public String label() {
                return parser.label();
            }
        };
    }
}
