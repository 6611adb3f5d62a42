package dev.logcast.broker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.auth.KeyFile;
import dev.logcast.broker.auth.KeyRing;
import dev.logcast.protocol.token.TokenCheck;
import dev.logcast.protocol.token.TokenClaims;
import dev.logcast.protocol.token.TokenFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code logcast keygen} and {@code logcast token create}: the key file they share and the tokens minted. */
class TokenCommandTest {
    @TempDir
    Path dir;

    private TokenCheck verify(String token, Path keys) throws IOException {
        KeyRing ring = KeyFile.read(keys);
        return TokenFormat.verify(token, ring::get, System.currentTimeMillis() / 1000, 60);
    }

    @Test
    void keygenCreatesTheFileWithMode0600AndPrintsNoSecret() throws IOException {
        Path keys = dir.resolve("state/keys");

        CliRun run = CliRun.run(Map.of(), "keygen", "--keys", keys.toString(), "--kid", "k1");

        assertThat(run.exitCode).isZero();
        assertThat(run.out.strip()).startsWith("added key k1 to " + keys);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rw-------");
        String secret = Files.readAllLines(keys).stream().filter(l -> l.startsWith("k1 ")).findFirst().orElseThrow()
                .split(" ")[1];
        assertThat(run.out + run.err).doesNotContain(secret);
        assertThat(CliRun.run(Map.of(), "keygen", "--keys", keys.toString(), "--kid", "k1").exitCode).isEqualTo(1);
        assertThat(CliRun.run(Map.of(), "keygen", "--keys", keys.toString(), "--kid", "bad.kid").exitCode)
                .isEqualTo(2);
    }

    @Test
    void tokenCreatePrintsATokenOfTheNewestKeyWithTheClaimsAsked() throws IOException {
        Path keys = dir.resolve("keys");
        CliRun.run(Map.of(), "keygen", "--keys", keys.toString(), "--kid", "old");
        CliRun.run(Map.of(), "keygen", "--keys", keys.toString(), "--kid", "new");

        CliRun run = CliRun.run(Map.of(), "token", "create", "--keys", keys.toString(), "--sub", "ci",
                "--scope", "read,write", "--branch", "team-a/*", "--branch", "main,release/*", "--type", "log",
                "--ttl", "2h", "--src", "checkout-svc");

        assertThat(run.exitCode).isZero();
        String token = run.out.strip();
        assertThat(token).startsWith("lc1.new.");
        TokenClaims claims = verify(token, keys).claims();
        assertThat(claims.sub()).isEqualTo("ci");
        assertThat(claims.scopes()).containsExactly("read", "write");
        assertThat(claims.branches()).containsExactly("team-a/*", "main", "release/*");
        assertThat(claims.types()).containsExactly("log");
        assertThat(claims.src()).isEqualTo("checkout-svc");
        assertThat(claims.exp() - claims.iat()).isEqualTo(7200);
        assertThat(run.err).contains("sub ci, scope read,write, branches team-a/*,main,release/*, types log")
                .contains("kid new").doesNotContain(token);
    }

    @Test
    void tokenCreateSignsWithTheKidAskedAndDefaultsToADay() throws IOException {
        Path keys = dir.resolve("keys");
        CliRun.run(Map.of(), "keygen", "--keys", keys.toString(), "--kid", "old");
        CliRun.run(Map.of(), "keygen", "--keys", keys.toString(), "--kid", "new");

        CliRun run = CliRun.run(Map.of(), "token", "create", "--keys", keys.toString(), "--sub", "a", "--scope",
                "admin", "--kid", "old");

        TokenClaims claims = verify(run.out.strip(), keys).claims();
        assertThat(run.out).startsWith("lc1.old.");
        assertThat(claims.exp() - claims.iat()).isEqualTo(24 * 3600);
        assertThat(claims.branches()).isNull();
    }

    @Test
    void theKeyFileIsFoundThroughDataDirAsServeWouldFindIt() throws IOException {
        Path data = dir.resolve("data");
        CliRun.run(Map.of("LOGCAST_DATA_DIR", data.toString()), "keygen", "--kid", "k1");

        CliRun run = CliRun.run(Map.of(), "token", "create", "--data.dir", data.toString(), "--sub", "a",
                "--scope", "read");

        assertThat(run.exitCode).isZero();
        assertThat(verify(run.out.strip(), data.resolve("keys")).isValid()).isTrue();
    }

    @Test
    void badUsageExits2AndAMissingKeyExits1() throws IOException {
        Path keys = dir.resolve("keys");
        CliRun.run(Map.of(), "keygen", "--keys", keys.toString(), "--kid", "k1");
        String k = keys.toString();

        assertThat(CliRun.run(Map.of(), "token", "create", "--keys", k, "--sub", "a", "--scope", "root"))
                .satisfies(r -> {
                    assertThat(r.exitCode).isEqualTo(2);
                    assertThat(r.err.strip()).isEqualTo(
                            "logcast token create: --scope: \"root\" is not read, write or admin");
                });
        assertThat(CliRun.run(Map.of(), "token", "create", "--keys", k, "--sub", "a", "--scope", "read",
                "--branch", "a b").exitCode).isEqualTo(2);
        assertThat(CliRun.run(Map.of(), "token", "create", "--keys", k, "--sub", "a", "--scope", "read",
                "--ttl", "soon").err).contains("--ttl \"soon\" is not a duration");
        assertThat(CliRun.run(Map.of(), "token", "create", "--keys", k, "--scope", "read").exitCode).isEqualTo(2);
        assertThat(CliRun.run(Map.of(), "token", "create", "--keys", k, "--sub", "a", "--scope", "read",
                "--kid", "k9").err).contains("has no kid \"k9\" (it has: k1)");
        CliRun missing = CliRun.run(Map.of(), "token", "create", "--keys", dir.resolve("none").toString(),
                "--sub", "a", "--scope", "read");
        assertThat(missing.exitCode).isEqualTo(1);
        assertThat(missing.err).contains("no key file at");
        assertThat(CliRun.run(Map.of(), "token").exitCode).isEqualTo(2);
    }

    @Test
    void theScopesAreListedInTheHelp() {
        CliRun run = CliRun.run(Map.of(), "token", "create", "--help");

        assertThat(run.exitCode).isZero();
        assertThat(run.out).contains("--scope").contains("read (stream, poll, metrics), write").contains("--ttl");
        assertThat(List.of(run.out.split("\n"))).anyMatch(l -> l.contains("--keys"));
    }
}
