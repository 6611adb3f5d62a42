package dev.logcast.broker.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code logcast version}: prints {@code logcast <version>}. */
@Command(name = "version", mixinStandardHelpOptions = true, versionProvider = LogcastCommand.Version.class,
        description = "Print the version.")
public final class VersionCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println("logcast " + LogcastCommand.version());
        return 0;
    }
}
