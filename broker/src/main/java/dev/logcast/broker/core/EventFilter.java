package dev.logcast.broker.core;

import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a subscriber wants to see: the stream's and the poll's query filters. Values of one filter are OR (repeat
 * the parameter or separate by commas); different filters are AND. {@code branch} and {@code source} are globs,
 * {@code type} exact, {@code level} a minimum, {@code q} a case-insensitive substring of {@code msg}.
 *
 * <p>A filter may also carry a token's limits ({@link #limitedTo}): branch globs and types outside of which
 * nothing matches, whatever was asked for. Every path that delivers events (live, replay by Last-Event-ID or
 * {@code tail}, poll) decides with {@link #matches}, so the limits hold on all of them.
 * Immutable; {@link #matches} allocates nothing.
 */
public final class EventFilter {
    /** Matches every event. */
    public static final EventFilter ALL = new EventFilter(null, null, Level.TRACE, null, null);

    private final Glob[] branches;
    private final String[] types;
    private final Level minLevel;
    private final Glob[] sources;
    private final String[] queries;
    private final Glob[] allowedBranches;
    private final String[] allowedTypes;

    public EventFilter(Glob[] branches, String[] types, Level minLevel, Glob[] sources, String[] queries) {
        this(branches, types, minLevel, sources, queries, null, null);
    }

    private EventFilter(Glob[] branches, String[] types, Level minLevel, Glob[] sources, String[] queries,
                        Glob[] allowedBranches, String[] allowedTypes) {
        this.branches = branches;
        this.types = types;
        this.minLevel = minLevel == null ? Level.TRACE : minLevel;
        this.sources = sources;
        this.queries = queries;
        this.allowedBranches = allowedBranches;
        this.allowedTypes = allowedTypes;
    }

    /**
     * This filter, limited to the branches matching one of {@code allowedBranches} and to {@code allowedTypes}
     * ({@code null}: no limit of that kind).
     *
     * @throws IllegalStateException when a limit of the same kind is already set (one grant limits a filter once)
     */
    public EventFilter limitedTo(Glob[] allowedBranches, String[] allowedTypes) {
        if (this.allowedBranches != null && allowedBranches != null
                || this.allowedTypes != null && allowedTypes != null) {
            throw new IllegalStateException("the filter is already limited");
        }
        return new EventFilter(branches, types, minLevel, sources, queries,
                allowedBranches != null ? allowedBranches : this.allowedBranches,
                allowedTypes != null ? allowedTypes : this.allowedTypes);
    }

    /**
     * Whether this filter's own branch and type values could match anything inside the given limits
     * ({@code null}: no limit of that kind). Conservative like {@link Glob#mayOverlap}: false only when no event
     * could ever match both, so a {@code false} is a safe reason to refuse the request.
     */
    public boolean mayMatchWithin(Glob[] allowedBranches, String[] allowedTypes) {
        if (allowedBranches != null) {
            if (allowedBranches.length == 0) {
                return false;
            }
            if (branches != null && !anyOverlap(branches, allowedBranches)) {
                return false;
            }
        }
        if (allowedTypes != null) {
            if (allowedTypes.length == 0) {
                return false;
            }
            if (types != null) {
                for (String t : types) {
                    if (contains(allowedTypes, t)) {
                        return true;
                    }
                }
                return false;
            }
        }
        return true;
    }

    private static boolean anyOverlap(Glob[] asked, Glob[] allowed) {
        for (Glob a : asked) {
            for (Glob b : allowed) {
                if (a.mayOverlap(b)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Parses the filters of a query string (as decoded by Netty's {@code QueryStringDecoder}).
     *
     * @throws IllegalArgumentException naming the parameter when a value is not valid
     */
    public static EventFilter fromQuery(Map<String, List<String>> params) {
        List<String> branch = values(params, "branch");
        List<String> type = values(params, "type");
        List<String> level = values(params, "level");
        List<String> source = values(params, "source");
        List<String> q = values(params, "q");
        Glob[] branches = globs("branch", branch);
        Glob[] sources = globs("source", source);
        String[] types = null;
        if (type != null) {
            types = new String[type.size()];
            for (int i = 0; i < types.length; i++) {
                String t = type.get(i).toLowerCase(Locale.ROOT);
                if (!Names.isType(t)) {
                    throw new IllegalArgumentException("parameter \"type\": \"" + type.get(i)
                            + "\" is not a type ([a-z0-9_.-]{1,32})");
                }
                types[i] = t;
            }
        }
        Level minLevel = Level.TRACE;
        if (level != null) {
            minLevel = Level.FATAL;
            for (String name : level) {
                Level parsed = Level.parse(name);
                if (parsed == null) {
                    throw new IllegalArgumentException("parameter \"level\": \"" + name
                            + "\" is not one of trace, debug, info, warn, error, fatal");
                }
                if (parsed.compareTo(minLevel) < 0) {
                    minLevel = parsed;
                }
            }
        }
        String[] queries = null;
        if (q != null) {
            queries = new String[q.size()];
            for (int i = 0; i < queries.length; i++) {
                queries[i] = LogEvent.foldCase(q.get(i));
            }
        }
        return new EventFilter(branches, types, minLevel, sources, queries);
    }

    /**
     * The comma-split values of a repeatable parameter, empty ones left out; {@code null} when absent or all empty.
     * Values lose surrounding whitespace (a space after a comma), but one that is only whitespace stays as sent, to
     * be refused by the parameter's check rather than read as no filter; {@code q} is taken exactly as sent.
     */
    static List<String> values(Map<String, List<String>> params, String name) {
        List<String> raw = params.get(name);
        if (raw == null) {
            return null;
        }
        boolean exact = name.equals("q");
        List<String> out = new ArrayList<>();
        for (String value : raw) {
            for (String part : value.split(",", -1)) {
                if (part.isEmpty()) {
                    continue;
                }
                String stripped = exact ? part : part.strip();
                out.add(stripped.isEmpty() ? part : stripped);
            }
        }
        return out.isEmpty() ? null : out;
    }

    private static Glob[] globs(String param, List<String> values) {
        if (values == null) {
            return null;
        }
        Glob[] globs = new Glob[values.size()];
        for (int i = 0; i < globs.length; i++) {
            String v = values.get(i);
            if (!Names.isGlob(v)) {
                throw new IllegalArgumentException("parameter \"" + param + "\": \"" + v
                        + "\" is not a glob of [A-Za-z0-9_.:/-] and *, at most 128 characters");
            }
            globs[i] = Glob.compile(v);
        }
        return globs;
    }

    public boolean matches(LogEvent e) {
        if (e.level().compareTo(minLevel) < 0) {
            return false;
        }
        if (types != null && !contains(types, e.type())) {
            return false;
        }
        if (branches != null && !Glob.anyMatch(branches, e.branch())) {
            return false;
        }
        if (sources != null && !Glob.anyMatch(sources, e.source())) {
            return false;
        }
        if (allowedTypes != null && !contains(allowedTypes, e.type())) {
            return false;
        }
        if (allowedBranches != null && !Glob.anyMatch(allowedBranches, e.branch())) {
            return false;
        }
        if (queries != null) {
            String msg = e.msgFolded();
            for (String q : queries) {
                if (msg.contains(q)) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    /** Whether {@code values} holds {@code v} (exact). Allocates nothing. */
    public static boolean contains(String[] values, String v) {
        for (String s : values) {
            if (s.equals(v)) {
                return true;
            }
        }
        return false;
    }


    /** The branch globs asked for, or {@code null} for all. */
    public Glob[] branches() {
        return branches;
    }

    /** The types asked for, or {@code null} for all. */
    public String[] types() {
        return types;
    }

    public Level minLevel() {
        return minLevel;
    }

    public Glob[] sources() {
        return sources;
    }

    public String[] queries() {
        return queries;
    }
}
