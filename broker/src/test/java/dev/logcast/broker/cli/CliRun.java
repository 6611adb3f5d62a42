package dev.logcast.broker.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/** One run of the {@code logcast} command tree with captured stdout and stderr. */
final class CliRun {
    final int exitCode;
    final String out;
    final String err;

    private CliRun(int exitCode, String out, String err) {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    /** Runs {@code args} with {@code env}; {@code serve} fails the test if it tries to start a broker. */
    static CliRun run(Map<String, String> env, String... args) {
        return run(env, config -> {
            throw new AssertionError("serve started a broker");
        }, onSignal -> { }, args);
    }

    static CliRun run(Map<String, String> env, ServeCommand.Starter starter, ServeCommand.StopSignals signals,
                      String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = LogcastCommand.commandLine(env, starter, signals);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }
}
