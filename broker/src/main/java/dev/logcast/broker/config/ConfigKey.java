package dev.logcast.broker.config;

import java.util.Locale;
import java.util.Objects;

/**
 * One configuration key: its dotted name, how its text is parsed, its default and what it means.
 * The same key is the file's property {@code name}, the flag {@code --name} and the variable
 * {@code LOGCAST_NAME} (dots as underscores, upper case). All keys are in {@link ConfigKeys}.
 *
 * @param <T> the type of the parsed value
 */
public final class ConfigKey<T> {
    private final String name;
    private final ValueParser<T> parser;
    private final T defaultValue;
    private final String defaultText;
    private final String description;

    ConfigKey(String name, ValueParser<T> parser, T defaultValue, String defaultText, String description) {
        this.name = Objects.requireNonNull(name);
        this.parser = Objects.requireNonNull(parser);
        this.defaultValue = defaultValue;
        this.defaultText = defaultText != null ? defaultText : defaultValue == null ? "" : parser.format(defaultValue);
        this.description = Objects.requireNonNull(description);
    }

    /** The dotted name, e.g. {@code stream.heartbeat}. */
    public String name() {
        return name;
    }

    /** The environment variable, e.g. {@code LOGCAST_STREAM_HEARTBEAT}. */
    public String envName() {
        return "LOGCAST_" + name.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** The {@code serve} flag, e.g. {@code --stream.heartbeat}. */
    public String flagName() {
        return "--" + name;
    }

    /** The value when no source sets the key; {@code null} for keys unset by default or derived from another key. */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as text: the formatted default, {@code <data.dir>/keys} for a derived one, empty when unset. */
    public String defaultText() {
        return defaultText;
    }

    /** One line on what the key means. */
    public String description() {
        return description;
    }

    /** What a value looks like ({@code duration}, {@code size}, {@code none|hmac}, ...). */
    public String label() {
        return parser.label();
    }

    /** The typed value of {@code text}; throws {@link IllegalArgumentException} with the problem when bad. */
    public T parse(String text) {
        return parser.parse(text.trim());
    }

    /** The text form of {@code value} (of this key's type), empty for {@code null}. */
    @SuppressWarnings("unchecked")
    public String format(Object value) {
        return value == null ? "" : parser.format((T) value);
    }

    @Override
    public String toString() {
        return name;
    }
}
