package dev.logcast.protocol.token;

/**
 * The outcome of {@link TokenFormat#verify}: the claims of a token that verified, or the fault that refused it.
 * Exactly one of the two is non-null.
 */
public record TokenCheck(TokenClaims claims, TokenFault fault) {
    public static TokenCheck valid(TokenClaims claims) {
        return new TokenCheck(claims, null);
    }

    public static TokenCheck refused(TokenFault fault) {
        return new TokenCheck(null, fault);
    }

    public boolean isValid() {
        return claims != null;
    }
}
