package dev.logcast.broker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogcastCommandTest {

    @Test
    void versionPrintsTheNameAndVersion() {
        CliRun run = CliRun.run(Map.of(), "version");
        assertThat(run.exitCode).isZero();
        // Not run from the shaded jar, so there is no manifest version.
        assertThat(run.out).isEqualTo("logcast dev" + System.lineSeparator());
        assertThat(run.err).isEmpty();
    }

    @Test
    void versionOptionSaysTheSame() {
        CliRun run = CliRun.run(Map.of(), "--version");
        assertThat(run.exitCode).isZero();
        assertThat(run.out.strip()).isEqualTo("logcast dev");
    }

    @Test
    void noSubcommandPrintsUsageOnStderrAndExits2() {
        CliRun run = CliRun.run(Map.of());
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err).contains("Usage: logcast").contains("serve").contains("check-config").contains("version");
    }

    @Test
    void onlyTheCommandsThatExistAreListed() {
        assertThat(LogcastCommand.commandLine(Map.of(), c -> null, s -> { }).getSubcommands().keySet())
                .containsExactlyInAnyOrder("serve", "check-config", "cert", "keygen", "token", "version");
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        CliRun run = CliRun.run(Map.of(), "serv");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("serv");
    }
}
