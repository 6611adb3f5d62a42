package dev.logcast.broker.core;

/** Character-class checks for the names of the query filters, without regular expressions. */
final class Names {
    private Names() {
    }

    /** {@code [a-z0-9_.-]{1,32}}. */
    static boolean isType(String s) {
        int n = s.length();
        if (n < 1 || n > 32) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** {@code [A-Za-z0-9_.:/-*]{1,128}}: a branch or source name, or a glob of one. */
    static boolean isGlob(String s) {
        int n = s.length();
        if (n < 1 || n > 128) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                    || c == ':' || c == '/' || c == '-' || c == '*')) {
                return false;
            }
        }
        return true;
    }
}
