package dev.logcast.broker.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a configuration value came from, for error messages and {@code logcast check-config}.
 *
 * @param kind  which layer set it; later layers win: default, file, env, flag
 * @param where the file, variable or flag that set it ({@code /etc/logcast/logcast.conf}, {@code LOGCAST_PORT},
 *              {@code --port}); empty for a default
 */
public record ConfigSource(Kind kind, String where) {
    /** The layers, from the weakest to the strongest. */
    public enum Kind { DEFAULT, FILE, ENV, FLAG }

    public static final ConfigSource DEFAULT = new ConfigSource(Kind.DEFAULT, "");

    public ConfigSource {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(where);
    }

    static ConfigSource file(Path file) {
        return new ConfigSource(Kind.FILE, file.toString());
    }

    static ConfigSource env(String variable) {
        return new ConfigSource(Kind.ENV, variable);
    }

    static ConfigSource flag(String keyName) {
        return new ConfigSource(Kind.FLAG, "--" + keyName);
    }

    /** {@code default}, {@code file /etc/logcast/logcast.conf}, {@code env LOGCAST_PORT} or {@code flag --port}. */
    @Override
    public String toString() {
        return kind == Kind.DEFAULT ? "default" : kind.name().toLowerCase(java.util.Locale.ROOT) + " " + where;
    }
}
