package dev.logcast.broker.testing;

import dev.logcast.broker.auth.KeyFile;
import dev.logcast.protocol.token.HmacKey;
import dev.logcast.protocol.token.TokenClaims;
import dev.logcast.protocol.token.TokenFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A key file in a temporary directory and tokens signed with its keys, for brokers started with
 * {@code auth.mode=hmac}: {@code BrokerFixture.start(keys.settings())}.
 */
public final class HmacKeys {
    private final Path file;
    private final Map<String, HmacKey> keys = new LinkedHashMap<>();

    private HmacKeys(Path file) {
        this.file = file;
    }

    /** A key file with one key a kid. */
    public static HmacKeys create(String... kids) throws IOException {
        Path dir = Files.createTempDirectory("logcast-keys");
        HmacKeys k = new HmacKeys(dir.resolve("keys"));
        for (String kid : kids) {
            k.keys.put(kid, KeyFile.append(k.file, kid, new SecureRandom()));
        }
        return k;
    }

    public Path file() {
        return file;
    }

    public HmacKey key(String kid) {
        return keys.get(kid);
    }

    /**
     * The settings of a broker on this key file: {@code auth.mode=hmac}, no failure slow-down (tests of faults make
     * many failures on purpose; the slow-down has its own test), plus {@code extra}.
     */
    public Map<String, String> settings(String... extra) {
        Map<String, String> s = new HashMap<>();
        s.put("auth.mode", "hmac");
        s.put("auth.keys", file.toString());
        s.put("auth.failures.per.minute", "0");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            s.put(extra[i], extra[i + 1]);
        }
        return s;
    }

    /** Rewrites the key file with only {@code kids} (revoking the others at the next reload). */
    public void keepOnly(String... kids) throws IOException {
        StringBuilder text = new StringBuilder();
        List<String> keep = Arrays.asList(kids);
        keys.keySet().removeIf(kid -> !keep.contains(kid));
        for (HmacKey key : keys.values()) {
            text.append(key.keyFileLine()).append('\n');
        }
        Files.writeString(file, text);
    }

    /** A token of the first key valid for an hour. */
    public String token(String scopes, String branches, String types, String src) {
        return token(keys.keySet().iterator().next(), scopes, branches, types, src);
    }

    /**
     * A token signed with {@code kid}, valid from now for an hour.
     *
     * @param scopes   comma-separated
     * @param branches comma-separated globs, or {@code null} for all
     * @param types    comma-separated, or {@code null} for all
     * @param src      the pinned source, or {@code null}
     */
    public String token(String kid, String scopes, String branches, String types, String src) {
        long now = System.currentTimeMillis() / 1000;
        return mint(kid, new TokenClaims("test", List.of(scopes.split(",")), split(branches), split(types),
                now + 3600, now, src));
    }

    public String mint(String kid, TokenClaims claims) {
        return TokenFormat.mint(keys.get(kid), claims);
    }

    private static List<String> split(String csv) {
        return csv == null ? null : List.of(csv.split(","));
    }

    /** Deletes the key file and its directory. */
    public void delete() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(file.getParent());
    }
}
