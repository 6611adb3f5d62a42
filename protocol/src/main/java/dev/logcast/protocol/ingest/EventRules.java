package dev.logcast.protocol.ingest;

/**
 * The event's field rules from the contract, as small character-class checks (no regex on the ingest path):
 * {@code type} is {@code [a-z0-9_.-]{1,32}}, {@code source} and {@code branch} are {@code [A-Za-z0-9_.:/-]{1,128}}.
 * Stateless and thread-safe.
 */
public final class EventRules {
    /** Longest {@code type}. */
    public static final int MAX_TYPE_CHARS = 32;
    /** Longest {@code source} or {@code branch}. */
    public static final int MAX_NAME_CHARS = 128;
    /** The pattern of {@code type}, for error messages. */
    public static final String TYPE_PATTERN = "[a-z0-9_.-]{1,32}";
    /** The pattern of {@code source} and {@code branch}, for error messages. */
    public static final String NAME_PATTERN = "[A-Za-z0-9_.:/-]{1,128}";

    private static final boolean[] TYPE_CHARS = new boolean[128];
    private static final boolean[] NAME_CHARS = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            TYPE_CHARS[c] = true;
            NAME_CHARS[c] = true;
            NAME_CHARS[c - 'a' + 'A'] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            TYPE_CHARS[c] = true;
            NAME_CHARS[c] = true;
        }
        for (char c : new char[] {'_', '.', '-'}) {
            TYPE_CHARS[c] = true;
            NAME_CHARS[c] = true;
        }
        NAME_CHARS[':'] = true;
        NAME_CHARS['/'] = true;
    }

    private EventRules() {
    }

    /** Whether {@code s} is a valid {@code type}: {@code [a-z0-9_.-]{1,32}}. */
    public static boolean isValidType(CharSequence s) {
        return matches(s, TYPE_CHARS, MAX_TYPE_CHARS);
    }

    /** Whether {@code s} is a valid {@code source} or {@code branch}: {@code [A-Za-z0-9_.:/-]{1,128}}. */
    public static boolean isValidName(CharSequence s) {
        return matches(s, NAME_CHARS, MAX_NAME_CHARS);
    }

    private static boolean matches(CharSequence s, boolean[] allowed, int maxChars) {
        int n = s.length();
        if (n == 0 || n > maxChars) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 128 || !allowed[c]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The UTF-8 length of {@code chars[offset, offset + length)}, or {@code -1} when it holds a lone surrogate (which
     * no UTF-8 text can: JSON's {@code \ud800} escape is the only way one gets in).
     */
    static int utf8Length(char[] chars, int offset, int length) {
        int bytes = 0;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 == end || !Character.isLowSurrogate(chars[i + 1])) {
                    return -1;
                }
                bytes += 4;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return -1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** {@link #utf8Length(char[], int, int)} of a string. */
    static int utf8Length(String s) {
        int bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 == n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return -1;
                }
                bytes += 4;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return -1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Code points in {@code s}, counting a surrogate pair once. */
    static int codePoints(String s) {
        return s.codePointCount(0, s.length());
    }

    /**
     * A user-supplied value for an error message: quoted, cut short when long, control characters written as
     * {@code \\uXXXX} so that the message stays one line wherever it is logged.
     */
    static String quote(CharSequence s) {
        int max = 40;
        int n = Math.min(s.length(), max);
        if (n < s.length() && Character.isHighSurrogate(s.charAt(n - 1))) {
            n--;
        }
        StringBuilder b = new StringBuilder(n + 8).append('"');
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (n < s.length()) {
            b.append("...");
        }
        return b.append('"').toString();
    }
}
