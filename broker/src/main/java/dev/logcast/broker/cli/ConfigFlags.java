package dev.logcast.broker.cli;

import dev.logcast.broker.config.BrokerConfig;
import dev.logcast.broker.config.ConfigException;
import dev.logcast.broker.config.ConfigKey;
import dev.logcast.broker.config.ConfigKeys;
import dev.logcast.broker.config.ConfigLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The configuration options that {@code serve} and {@code check-config} share: {@code --config FILE}, and one
 * {@code --<key> VALUE} for every {@link ConfigKeys key}, built from the keys so that a new key is a flag at once.
 */
final class ConfigFlags {
    static final String CONFIG_OPTION = "--config";
    static final String CONFIG_VARIABLE = "LOGCAST_CONFIG";

    private ConfigFlags() {}

    /** Adds {@code --config} and the key options to {@code spec}. */
    static void addTo(CommandSpec spec) {
        spec.addOption(OptionSpec.builder(CONFIG_OPTION)
                .paramLabel("<file>")
                .type(Path.class)
                .description("configuration file (java.util.Properties syntax); default: $" + CONFIG_VARIABLE
                        + ", else none")
                .build());
        for (ConfigKey<?> key : ConfigKeys.all()) {
            String defaultText = key.defaultText().isEmpty() ? "unset" : key.defaultText();
            spec.addOption(OptionSpec.builder(key.flagName())
                    .paramLabel("<" + key.label() + ">")
                    .type(String.class)
                    .description(key.description() + " (default: " + defaultText + ")")
                    .build());
        }
    }

    /**
     * The configuration of the parsed options over {@code env} and the config file: {@code --config}, else
     * {@code $LOGCAST_CONFIG}, else none.
     *
     * @throws ConfigException naming each bad or unknown key and where it came from
     */
    static BrokerConfig load(CommandSpec spec, Map<String, String> env) {
        return ConfigLoader.load(configFile(spec, env), env, flags(spec));
    }

    /** The config file to read, or {@code null}: {@code --config}, else {@code $LOGCAST_CONFIG} when not blank. */
    static Path configFile(CommandSpec spec, Map<String, String> env) {
        Path flag = spec.findOption(CONFIG_OPTION).getValue();
        if (flag != null) {
            return flag;
        }
        String variable = env.get(CONFIG_VARIABLE);
        return variable == null || variable.isBlank() ? null : Path.of(variable.trim());
    }

    private static Map<String, String> flags(CommandSpec spec) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            String value = spec.findOption(key.flagName()).getValue();
            if (value != null) {
                flags.put(key.name(), value);
            }
        }
        return flags;
    }
}
