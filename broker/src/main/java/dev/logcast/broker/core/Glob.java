package dev.logcast.broker.core;

/**
 * A glob where {@code *} matches any run of characters (also none, also across {@code /}); every other character
 * matches itself. Compiled once into its literal parts; matching allocates nothing. Immutable.
 */
public final class Glob {
    private final String pattern;
    private final String[] parts;
    private final boolean anchoredStart;
    private final boolean anchoredEnd;
    private final boolean matchesAll;

    private Glob(String pattern) {
        this.pattern = pattern;
        this.parts = pattern.split("\\*", -1);
        this.anchoredStart = !pattern.startsWith("*");
        this.anchoredEnd = !pattern.endsWith("*");
        this.matchesAll = pattern.chars().allMatch(c -> c == '*') && !pattern.isEmpty();
    }

    public static Glob compile(String pattern) {
        return new Glob(pattern);
    }

    public String pattern() {
        return pattern;
    }

    /** True when the pattern has no {@code *}: it matches one value only. */
    public boolean isLiteral() {
        return parts.length == 1;
    }

    public boolean matchesEverything() {
        return matchesAll;
    }

    /** Whether any of {@code globs} matches {@code value}. Allocates nothing. */
    public static boolean anyMatch(Glob[] globs, String value) {
        for (Glob g : globs) {
            if (g.matches(value)) {
                return true;
            }
        }
        return false;
    }

    public boolean matches(String s) {
        if (matchesAll) {
            return true;
        }
        if (parts.length == 1) {
            return pattern.equals(s);
        }
        String first = parts[0];
        String last = parts[parts.length - 1];
        if (s.length() < first.length() + last.length()) {
            return false;
        }
        if (anchoredStart && !s.startsWith(first)) {
            return false;
        }
        if (anchoredEnd && !s.endsWith(last)) {
            return false;
        }
        int from = first.length();
        int to = s.length() - last.length();
        for (int i = 1; i < parts.length - 1; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                continue;
            }
            int at = s.indexOf(part, from);
            if (at < 0 || at + part.length() > to) {
                return false;
            }
            from = at + part.length();
        }
        return true;
    }

    /**
     * Whether some string matched by this glob could also match {@code other}; conservative (may say true when
     * the answer is false, never the reverse). Used to refuse subscriptions that can only see forbidden branches.
     */
    public boolean mayOverlap(Glob other) {
        if (isLiteral()) {
            return other.matches(pattern);
        }
        if (other.isLiteral()) {
            return matches(other.pattern);
        }
        String a = parts[0];
        String b = other.parts[0];
        boolean prefixesAgree = a.startsWith(b) || b.startsWith(a);
        String x = parts[parts.length - 1];
        String y = other.parts[other.parts.length - 1];
        boolean suffixesAgree = x.endsWith(y) || y.endsWith(x);
        return prefixesAgree && suffixesAgree;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
