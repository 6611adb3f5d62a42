package dev.logcast.broker.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.cli.CertCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code logcast cert}: files, modes, what it prints, and its refusals. */
class CertCommandTest {
    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new CertCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    @Test
    void writesAnEcPairAndPrintsTheConfigLines() throws Exception {
        Path cert = dir.resolve("c.pem");
        Path key = dir.resolve("k.pem");

        Run run = run("--self-signed", "--host", "localhost", "--host", "127.0.0.1,::1", "--out-cert", cert.toString(),
                "--out-key", key.toString(), "--days", "10");

        assertThat(run.exitCode).as(run.err).isZero();
        assertThat(run.err).isEmpty();
        assertThat(run.out)
                .contains("Wrote a self-signed EC P-256 certificate for localhost, 127.0.0.1, ::1, valid until ")
                .contains("  certificate  " + cert + "\n")
                .contains("  private key  " + key + " (mode 0600)\n")
                .contains("  tls.cert=" + cert + "\n", "  tls.key=" + key + "\n", "  tls.port=7443\n")
                .contains("logcast serve --tls.cert " + cert + " --tls.key " + key + "\n")
                .contains("curl --cacert " + cert + " https://localhost:7443/healthz");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        TlsKeyMaterial loaded = TlsKeyMaterial.load(cert, key);
        X509Certificate leaf = loaded.leaf();
        assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, "localhost"), List.of(7, "127.0.0.1"),
                List.of(7, "0:0:0:0:0:0:0:1"));
    }

    @Test
    void rsaOnRequestAndDefaultFileNamesInTheWorkingDirectoryAreRelativeToIt() throws Exception {
        Path cert = dir.resolve("logcast-cert.pem");
        Path key = dir.resolve("logcast-key.pem");

        Run run = run("--self-signed", "--host", "::1", "--rsa", "--out-cert", cert.toString(),
                "--out-key", key.toString());

        assertThat(run.exitCode).as(run.err).isZero();
        assertThat(run.out).contains("RSA 2048").contains("https://[::1]:7443/healthz");
        assertThat(TlsKeyMaterial.load(cert, key).privateKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(new CommandLine(new CertCommand()).getCommandSpec().findOption("--out-cert").defaultValue())
                .isEqualTo("logcast-cert.pem");
        assertThat(new CommandLine(new CertCommand()).getCommandSpec().findOption("--out-key").defaultValue())
                .isEqualTo("logcast-key.pem");
    }

    @Test
    void pathsThatNeedQuotingAreQuotedInTheCommands() {
        Path cert = dir.resolve("my certs/c.pem");
        Path key = dir.resolve("my certs/k.pem");

        Run run = run("--self-signed", "--host", "localhost", "--out-cert", cert.toString(), "--out-key", key.toString());

        assertThat(run.exitCode).as(run.err).isZero();
        assertThat(run.out).contains("--tls.cert '" + cert + "' --tls.key '" + key + "'")
                .contains("curl --cacert '" + cert + "' https://");
    }

    @Test
    void existingFilesAreNotReplacedWithoutForce() throws Exception {
        Path cert = dir.resolve("c.pem");
        Path key = Files.writeString(dir.resolve("k.pem"), "precious");
        String[] args = {"--self-signed", "--host", "localhost", "--out-cert", cert.toString(), "--out-key",
            key.toString()};

        Run refused = run(args);

        assertThat(refused.exitCode).isEqualTo(1);
        assertThat(refused.err).isEqualTo("logcast cert: " + key + " exists; --force replaces it\n");
        assertThat(Files.readString(key)).isEqualTo("precious");
        assertThat(cert).doesNotExist();

        Run forced = run(concat(args, "--force"));

        assertThat(forced.exitCode).as(forced.err).isZero();
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void badUsageExitsTwoAndSaysWhy() {
        Path cert = dir.resolve("c.pem");
        Path key = dir.resolve("k.pem");
        String out = "--out-cert=" + cert;
        String keyOut = "--out-key=" + key;

        assertThat(run("--host", "localhost", out, keyOut).exitCode).as("--self-signed is required").isEqualTo(2);
        assertThat(run("--self-signed", out, keyOut).exitCode).as("--host is required").isEqualTo(2);
        assertThat(run("--self-signed", "--host", "a", "--ec", "--rsa", out, keyOut).exitCode).isEqualTo(2);
        Run badHost = run("--self-signed", "--host", "bad host", out, keyOut);
        assertThat(badHost.exitCode).isEqualTo(2);
        assertThat(badHost.err).isEqualTo("logcast cert: --host \"bad host\" is neither a DNS name nor an IP address\n");
        Run badDays = run("--self-signed", "--host", "a", "--days", "0", out, keyOut);
        assertThat(badDays.exitCode).isEqualTo(2);
        assertThat(badDays.err).contains("--days 0 is not between 1 and 3650");
        Run sameFile = run("--self-signed", "--host", "a", out, "--out-key=" + cert);
        assertThat(sameFile.exitCode).isEqualTo(2);
        assertThat(sameFile.err).contains("name the same file");
        assertThat(cert).doesNotExist();
        assertThat(key).doesNotExist();
    }

    private static String[] concat(String[] args, String extra) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = extra;
        return all;
    }
}
