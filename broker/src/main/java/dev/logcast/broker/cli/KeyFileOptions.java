package dev.logcast.broker.cli;

import dev.logcast.broker.config.ConfigLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where {@code token create} and {@code keygen} find the key file: {@code --keys FILE}, else {@code auth.keys} as
 * {@code serve} would see it (its flag, {@code LOGCAST_AUTH_KEYS}, the config file), else {@code keys} in
 * {@code data.dir} (its flag, {@code LOGCAST_DATA_DIR}, the config file, {@code ./data}). A picocli mixin.
 */
final class KeyFileOptions {
    @Option(names = "--keys", paramLabel = "<file>",
            description = "the key file; default: auth.keys as `serve` sees it (flag, LOGCAST_AUTH_KEYS, config file),"
                    + " else <data.dir>/keys")
    Path keys;

    @Option(names = "--config", paramLabel = "<file>",
            description = "configuration file to read auth.keys and data.dir from; default: $LOGCAST_CONFIG")
    Path config;

    @Option(names = "--data.dir", paramLabel = "<path>", description = "state directory (default: ./data)")
    String dataDir;

    @Option(names = "--auth.keys", paramLabel = "<path>", description = "the key file (as --keys)")
    String authKeys;

    /**
     * The key file to use.
     *
     * @throws dev.logcast.broker.config.ConfigException when the configuration it has to read is bad
     */
    Path resolve(Map<String, String> env) {
        if (keys != null) {
            return keys;
        }
        Map<String, String> flags = new LinkedHashMap<>();
        if (dataDir != null) {
            flags.put("data.dir", dataDir);
        }
        if (authKeys != null) {
            flags.put("auth.keys", authKeys);
        }
        Path file = config;
        if (file == null) {
            String variable = env.get(ConfigFlags.CONFIG_VARIABLE);
            file = variable == null || variable.isBlank() ? null : Path.of(variable.trim());
        }
        return ConfigLoader.load(file, env, flags).authKeys();
    }
}
