package dev.logcast.protocol.token;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.logcast.protocol.ingest.EventRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The claims of a token, as the contract names them: {@code sub}, {@code scope} (any of {@code read},
 * {@code write}, {@code admin}), {@code branches} (globs; absent = all), {@code types} (absent = all), {@code exp}
 * and {@code iat} (epoch seconds), optional {@code src} (pins {@code source} on write). Written as a JSON object in
 * that order; read with jackson-core's streaming parser. Immutable.
 *
 * <p>Reading is strict where a mistake would widen a grant: {@code branches}, {@code types} and {@code src} are
 * either absent or well-formed ({@code null} is refused rather than read as "all"), names follow the event's rules
 * ({@code [A-Za-z0-9_.:/-]{1,128}} with {@code *} in globs, types {@code [a-z0-9_.-]{1,32}}), a scope must be one
 * of the three, and a repeated field is refused. Unknown fields are ignored, so that a newer minter's extra claims
 * do not break an older broker. {@code scope} is a JSON array of names; a space-separated string (OAuth's form,
 * RFC 6749 §3.3) is read too.
 *
 * @param sub      who the token is for; 1 to 128 characters
 * @param scopes   the scope names, at least one
 * @param branches branch globs the token is limited to, or {@code null} for all
 * @param types    event types the token is limited to, or {@code null} for all
 * @param exp      expiry, epoch seconds
 * @param iat      issue time, epoch seconds
 * @param src      the source every event written with the token gets, or {@code null}
 */
public record TokenClaims(String sub, List<String> scopes, List<String> branches, List<String> types, long exp,
                          long iat, String src) {
    /** The scope names a token may carry. */
    public static final Set<String> SCOPES = Set.of("read", "write", "admin");
    /** Longest {@code sub}. */
    public static final int MAX_SUB_CHARS = 128;
    /** Most entries in {@code branches} or {@code types}. */
    public static final int MAX_LIST = 64;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /**
     * Checks every claim.
     *
     * @throws IllegalArgumentException naming the claim that is not valid
     */
    public TokenClaims {
        if (sub == null || sub.isEmpty() || sub.length() > MAX_SUB_CHARS || !printable(sub)) {
            throw new IllegalArgumentException("claim \"sub\": 1 to " + MAX_SUB_CHARS
                    + " printable characters needed");
        }
        if (scopes == null || scopes.isEmpty()) {
            throw new IllegalArgumentException("claim \"scope\": at least one of read, write, admin needed");
        }
        scopes = List.copyOf(scopes);
        for (String s : scopes) {
            if (!SCOPES.contains(s)) {
                throw new IllegalArgumentException("claim \"scope\": \"" + s + "\" is not read, write or admin");
            }
        }
        if (branches != null) {
            branches = checkList("branches", branches);
            for (String b : branches) {
                if (!isGlob(b)) {
                    throw new IllegalArgumentException("claim \"branches\": \"" + b + "\" is not a glob of "
                            + "[A-Za-z0-9_.:/-] and *, at most 128 characters");
                }
            }
        }
        if (types != null) {
            types = checkList("types", types);
            for (String t : types) {
                if (!EventRules.isValidType(t)) {
                    throw new IllegalArgumentException("claim \"types\": \"" + t + "\" is not a type ("
                            + EventRules.TYPE_PATTERN + ")");
                }
            }
        }
        if (src != null && !EventRules.isValidName(src)) {
            throw new IllegalArgumentException("claim \"src\": \"" + src + "\" is not a source name ("
                    + EventRules.NAME_PATTERN + ")");
        }
    }

    /** A branch glob: the name characters and {@code *}, 1 to 128 of them. */
    public static boolean isGlob(String s) {
        return EventRules.isValidName(s.replace('*', 'x'));
    }

    /** Whether the token carries {@code scope}. */
    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    /** The claims as compact JSON, UTF-8. */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("sub", sub);
            writeList(gen, "scope", scopes);
            if (branches != null) {
                writeList(gen, "branches", branches);
            }
            if (types != null) {
                writeList(gen, "types", types);
            }
            gen.writeNumberField("iat", iat);
            gen.writeNumberField("exp", exp);
            if (src != null) {
                gen.writeStringField("src", src);
            }
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Reads claims from JSON.
     *
     * @throws IllegalArgumentException saying what is wrong: not JSON, a missing or mistyped claim, a bad value
     */
    public static TokenClaims fromJson(byte[] json) {
        String sub = null;
        List<String> scopes = null;
        List<String> branches = null;
        List<String> types = null;
        Long exp = null;
        Long iat = null;
        String src = null;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("claims are not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "sub" -> sub = string(p, value, name);
                    case "scope" -> scopes = value == JsonToken.VALUE_STRING
                            ? spaceSeparated(p.getText()) : strings(p, value, name);
                    case "branches" -> branches = strings(p, value, name);
                    case "types" -> types = strings(p, value, name);
                    case "exp" -> exp = seconds(p, value, name);
                    case "iat" -> iat = seconds(p, value, name);
                    case "src" -> src = string(p, value, name);
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalArgumentException("claims are not one JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("claims are not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("claims cannot be read: " + e.getMessage());
        }
        if (exp == null || iat == null) {
            throw new IllegalArgumentException("claim \"" + (exp == null ? "exp" : "iat") + "\" is missing");
        }
        return new TokenClaims(sub, scopes, branches, types, exp, iat, src);
    }

    private static String string(JsonParser p, JsonToken value, String name) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException("claim \"" + name + "\" must be a string");
        }
        return p.getText();
    }

    private static long seconds(JsonParser p, JsonToken value, String name) throws IOException {
        if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new IllegalArgumentException("claim \"" + name + "\" must be whole epoch seconds");
        }
        long v = p.getLongValue();
        if (v < 0 || v > 253_402_300_799L) {
            throw new IllegalArgumentException("claim \"" + name + "\" is out of range");
        }
        return v;
    }

    private static List<String> strings(JsonParser p, JsonToken value, String name) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException("claim \"" + name + "\" must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
            if (out.size() == MAX_LIST) {
                throw new IllegalArgumentException("claim \"" + name + "\" has more than " + MAX_LIST + " entries");
            }
            out.add(p.getText());
        }
        if (t != JsonToken.END_ARRAY) {
            throw new IllegalArgumentException("claim \"" + name + "\" must be an array of strings");
        }
        return out;
    }

    private static List<String> spaceSeparated(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split(" ")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    private static List<String> checkList(String name, List<String> values) {
        if (values.size() > MAX_LIST) {
            throw new IllegalArgumentException("claim \"" + name + "\" has more than " + MAX_LIST + " entries");
        }
        for (String v : values) {
            if (v == null) {
                throw new IllegalArgumentException("claim \"" + name + "\" has a null entry");
            }
        }
        return List.copyOf(values);
    }

    private static void writeList(JsonGenerator gen, String name, List<String> values) throws IOException {
        gen.writeArrayFieldStart(name);
        for (String v : values) {
            gen.writeString(v);
        }
        gen.writeEndArray();
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
