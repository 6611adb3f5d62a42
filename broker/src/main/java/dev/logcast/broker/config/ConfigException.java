package dev.logcast.broker.config;

import java.util.List;

/**
 * The configuration cannot be used. The message has one line per problem, each naming the key and where its value
 * came from: {@code stream.heartbeat: "fast" is not a duration (...) (from env LOGCAST_STREAM_HEARTBEAT)}.
 */
public final class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** The problems, one line each, in the order they were found. */
    public List<String> problems() {
        return problems;
    }
}
