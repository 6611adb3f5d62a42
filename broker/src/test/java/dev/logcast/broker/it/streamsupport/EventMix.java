package dev.logcast.broker.it.streamsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Varied events for the filter tests, reproducible from a seed: branches that do and do not match the usual globs
 * ({@code team-a/*} must not take {@code team-a} or {@code team-ab/api}), every type and level (levels in mixed
 * case, as producers send them), sources for the source globs, and messages that hold the {@code q} words in
 * different cases. Every msg starts with a unique tag, so each event can be told apart. Not thread-safe: one per
 * publisher thread.
 */
public final class EventMix {
    public static final List<String> BRANCHES = List.of("team-a/api", "team-a/web", "team-b/api", "main",
            "release/1.2", "team-a", "team-ab/api", "team-a/api/v2");
    public static final List<String> TYPES = List.of("log", "error", "api", "metric", "event");
    public static final List<String> LEVELS = List.of("trace", "DEBUG", "Info", "info", "WARN", "error", "Fatal");
    public static final List<String> SOURCES = List.of("checkout-svc", "payment-svc", "auth-gw", "web-frontend",
            "batch.worker:1", "checkout-api");
    public static final List<String> WORDS = List.of("order placed", "Timeout talking to db", "TIMEOUT",
            "deadlock detected", "all good", "Ärger im Lager", "retry timeOUT soon", "Deadlock? no", "idle");

    private final String tagPrefix;
    private final Random random;
    private int next;

    public EventMix(String tagPrefix, long seed) {
        this.tagPrefix = tagPrefix;
        this.random = new Random(seed);
    }

    public LogSpec next() {
        String tag = tagPrefix + "-" + (next++);
        return new LogSpec(pick(BRANCHES), pick(TYPES), pick(LEVELS), pick(SOURCES),
                tag + " " + pick(WORDS), random.nextInt(4) == 0 ? Map.of("n", tag) : Map.of());
    }

    public List<LogSpec> next(int n) {
        List<LogSpec> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next());
        }
        return out;
    }

    private String pick(List<String> from) {
        return from.get(random.nextInt(from.size()));
    }
}
