package dev.logcast.broker.cli;

import dev.logcast.broker.config.BrokerConfig;
import dev.logcast.broker.config.ConfigException;
import dev.logcast.broker.config.ConfigKey;
import dev.logcast.broker.config.ConfigKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code logcast check-config [--config FILE] [--<key> VALUE ...]}: loads the configuration as {@code serve} would,
 * and prints every key's effective value and its source, one key a line; exit 0. A bad configuration prints the
 * problems to stderr, exit 2.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true, versionProvider = LogcastCommand.Version.class,
        abbreviateSynopsis = true, sortOptions = false,
        description = "Validate the configuration (file, LOGCAST_* variables, flags) and print every key's "
                + "effective value and where it came from.")
public final class CheckConfigCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    private final Map<String, String> env;

    CheckConfigCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BrokerConfig config;
        try {
            config = ConfigFlags.load(spec, env);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            err.flush();
            return LogcastCommand.EXIT_CONFIG;
        }
        Path file = ConfigFlags.configFile(spec, env);
        out.println(file == null ? "# no config file" : "# config file " + file);
        int width = 0;
        for (ConfigKey<?> key : ConfigKeys.all()) {
            width = Math.max(width, key.name().length());
        }
        for (ConfigKey<?> key : ConfigKeys.all()) {
            // ring.events has no fixed default: unset, it depends on storage
            Object value = key == ConfigKeys.RING_EVENTS ? config.ringEvents() : config.get(key);
            String text = value == null ? "(unset)" : key.format(value);
            out.printf("%-" + width + "s %-24s %s%n", key.name(), text.isEmpty() ? "(none)" : text,
                    config.source(key));
        }
        out.flush();
        return 0;
    }
}
