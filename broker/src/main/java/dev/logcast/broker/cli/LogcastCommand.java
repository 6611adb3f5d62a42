package dev.logcast.broker.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code logcast}, the one executable: the main class of {@code broker/target/logcast.jar}.
 *
 * <p>Exit codes: 0 success; 1 failure at run time; 2 bad usage or bad configuration.
 */
@Command(name = "logcast", mixinStandardHelpOptions = true, versionProvider = LogcastCommand.Version.class,
        description = "A log broker: HTTP ingest, filtered Server-Sent-Events fan-out.")
public final class LogcastCommand implements Callable<Integer> {
    /** The exit code of a bad configuration, as of any usage error. */
    static final int EXIT_CONFIG = CommandLine.ExitCode.USAGE;

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        LogFormat.install();
        System.exit(commandLine(System.getenv(), ServeCommand::startBroker, ServeCommand.SIGNALS)
                .execute(args));
    }

    /** The command tree, reading {@code env} for configuration and starting brokers with {@code starter}. */
    static CommandLine commandLine(Map<String, String> env, ServeCommand.Starter starter,
                                   ServeCommand.StopSignals stopSignals) {
        CommandLine commandLine = new CommandLine(new LogcastCommand());
        commandLine.addSubcommand(new ServeCommand(env, starter, stopSignals));
        commandLine.addSubcommand(new CheckConfigCommand(env));
        commandLine.addSubcommand(new CertCommand());
        commandLine.addSubcommand(new KeygenCommand(env));
        commandLine.addSubcommand(new CommandLine(new TokenCommand())
                .addSubcommand(new TokenCommand.Create(env, System::currentTimeMillis)));
        commandLine.addSubcommand(new VersionCommand());
        ConfigFlags.addTo(commandLine.getSubcommands().get("serve").getCommandSpec());
        ConfigFlags.addTo(commandLine.getSubcommands().get("check-config").getCommandSpec());
        return commandLine;
    }

    /** The jar manifest's {@code Implementation-Version}, or {@code dev} when not run from the built jar. */
    static String version() {
        String version = LogcastCommand.class.getPackage().getImplementationVersion();
        return version == null || version.isBlank() ? "dev" : version;
    }

    /** Without a subcommand: the usage, on stderr, and exit 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }

    /** {@code logcast --version}, the same text as {@code logcast version}. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"logcast " + version()};
        }
    }
}
