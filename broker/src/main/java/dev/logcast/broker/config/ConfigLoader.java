package dev.logcast.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a {@link BrokerConfig} from its layers, each overriding the one before: the defaults of {@link ConfigKeys},
 * the file (java.util.Properties syntax, UTF-8), the environment, the flags.
 *
 * <p>Environment: {@code LOGCAST_<KEY>} with the key's dots as underscores, upper case ({@code LOGCAST_AUTH_MODE}).
 * Every variable that starts with {@code LOGCAST_} must be a key, except the launcher's own,
 * {@link #NON_KEY_VARIABLES}: a misspelled variable stops start-up instead of being silently ignored.
 *
 * <p>Values are trimmed. An empty value is the empty list for {@code cors.origins}, "unset" for {@code tls.cert},
 * {@code tls.key} and {@code auth.keys}, and an error elsewhere. {@code auth.keys}, when no layer sets it, is
 * {@code keys} inside the final {@code data.dir}.
 *
 * <p>Every problem found (unknown keys, bad values, keys that contradict each other) is collected, and all are
 * thrown at once in one {@link ConfigException}, one line each naming the key and its source.
 */
public final class ConfigLoader {
    /** Variables starting with {@code LOGCAST_} that are not keys: the config file and the launcher's JVM options. */
    public static final Set<String> NON_KEY_VARIABLES = Set.of("LOGCAST_CONFIG", "LOGCAST_JAVA_OPTS", "LOGCAST_OPTS");

    private static final String ENV_PREFIX = "LOGCAST_";

    private final Map<String, Object> values = new HashMap<>();
    private final Map<String, ConfigSource> sources = new HashMap<>();
    private final List<String> problems = new ArrayList<>();

    private ConfigLoader() {}

    /**
     * The configuration of the given layers over the defaults.
     *
     * @param fileOrNull a properties file, or {@code null} for none
     * @param env        the environment (only {@code LOGCAST_*} variables are read)
     * @param flags      key name (without {@code --}) to text
     * @throws ConfigException naming each bad or unknown key and its source
     */
    public static BrokerConfig load(Path fileOrNull, Map<String, String> env, Map<String, String> flags) {
        return load(fileOrNull, env, flags, null);
    }

    /**
     * As {@link #load(Path, Map, Map)}, but over the values (and sources) of {@code base} instead of the defaults.
     * A derived {@code auth.keys} of the base follows a new {@code data.dir}.
     */
    public static BrokerConfig load(Path fileOrNull, Map<String, String> env, Map<String, String> flags,
                                    BrokerConfig base) {
        ConfigLoader loader = new ConfigLoader();
        loader.start(base);
        if (fileOrNull != null) {
            loader.applyFile(fileOrNull);
        }
        loader.applyEnv(env);
        loader.applyFlags(flags);
        return loader.finish();
    }

    private void start(BrokerConfig base) {
        for (ConfigKey<?> key : ConfigKeys.all()) {
            values.put(key.name(), base == null ? key.defaultValue() : base.get(key));
            sources.put(key.name(), base == null ? ConfigSource.DEFAULT : base.source(key));
        }
    }

    private void applyFile(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException("config file " + file + ": permission denied");
        } catch (MalformedInputException e) {
            throw new ConfigException("config file " + file + ": not UTF-8 text");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("config file " + file + ": cannot be read (" + e.getMessage() + ")");
        }
        ConfigSource source = ConfigSource.file(file);
        new TreeMap<>(properties).forEach((name, text) -> apply((String) name, (String) text, source));
    }

    private void applyEnv(Map<String, String> env) {
        new TreeMap<>(env).forEach((variable, text) -> {
            if (!variable.startsWith(ENV_PREFIX) || NON_KEY_VARIABLES.contains(variable)) {
                return;
            }
            String name = variable.substring(ENV_PREFIX.length()).replace('_', '.').toLowerCase(java.util.Locale.ROOT);
            ConfigSource source = ConfigSource.env(variable);
            if (ConfigKeys.byName(name).filter(key -> key.envName().equals(variable)).isEmpty()) {
                problems.add(name + ": unknown key (from env " + variable + ")"
                        + ConfigKeys.closest(name).map(key -> "; did you mean " + key.envName() + "?").orElse(""));
                return;
            }
            apply(name, text, source);
        });
    }

    private void applyFlags(Map<String, String> flags) {
        new TreeMap<>(flags).forEach((name, text) -> apply(name, text, ConfigSource.flag(name)));
    }

    private void apply(String name, String text, ConfigSource source) {
        ConfigKey<?> key = ConfigKeys.byName(name).orElse(null);
        if (key == null) {
            problems.add(name + ": unknown key (from " + source + ")"
                    + ConfigKeys.closest(name).map(k -> "; did you mean " + k.name() + "?").orElse(""));
            return;
        }
        Objects.requireNonNull(text, name);
        try {
            values.put(name, key.parse(text));
            sources.put(name, source);
        } catch (IllegalArgumentException e) {
            problems.add(name + ": \"" + text.trim() + "\" " + e.getMessage() + " (from " + source + ")");
        }
    }

    private BrokerConfig finish() {
        Path dataDir = (Path) values.get(ConfigKeys.DATA_DIR.name());
        String keysName = ConfigKeys.AUTH_KEYS.name();
        if (values.get(keysName) == null || sources.get(keysName).kind() == ConfigSource.Kind.DEFAULT) {
            values.put(keysName, dataDir.resolve("keys"));
        }
        checkTls();
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        values.values().removeIf(Objects::isNull);
        return new BrokerConfig(values, sources);
    }

    /** tls.cert and tls.key come together, name readable files, and tls.port is not the HTTP port. */
    private void checkTls() {
        Path cert = (Path) values.get(ConfigKeys.TLS_CERT.name());
        Path key = (Path) values.get(ConfigKeys.TLS_KEY.name());
        if (cert == null && key == null) {
            return;
        }
        if (cert == null || key == null) {
            ConfigKey<Path> unset = cert == null ? ConfigKeys.TLS_CERT : ConfigKeys.TLS_KEY;
            ConfigKey<Path> set = cert == null ? ConfigKeys.TLS_KEY : ConfigKeys.TLS_CERT;
            problems.add(unset.name() + ": not set, but " + set.name() + " is (from " + sources.get(set.name())
                    + "); TLS needs both");
            return;
        }
        for (ConfigKey<Path> file : List.of(ConfigKeys.TLS_CERT, ConfigKeys.TLS_KEY)) {
            Path path = (Path) values.get(file.name());
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                problems.add(file.name() + ": \"" + path + "\" is not a readable file (from " + sources.get(file.name())
                        + ")");
            }
        }
        int port = (Integer) values.get(ConfigKeys.PORT.name());
        int tlsPort = (Integer) values.get(ConfigKeys.TLS_PORT.name());
        if (port != 0 && port == tlsPort) {
            problems.add(ConfigKeys.TLS_PORT.name() + ": " + tlsPort + " is also the HTTP port (from "
                    + sources.get(ConfigKeys.TLS_PORT.name()) + ")");
        }
    }
}
