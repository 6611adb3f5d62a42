package dev.logcast.broker.cli;

import dev.logcast.broker.tls.SelfSignedCertificate;
import dev.logcast.broker.tls.SelfSignedCertificate.KeyKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code logcast cert --self-signed --host NAME [--host NAME2 ...] [--out-cert FILE] [--out-key FILE] [--days N]
 * [--ec|--rsa] [--force]}: writes a development certificate and its key ({@link SelfSignedCertificate}) and prints
 * where they went and the configuration lines that serve HTTPS with them.
 *
 * <p>Exit codes: 0 written; 1 a file exists (without {@code --force}) or cannot be written; 2 bad usage.
 */
@Command(name = "cert", mixinStandardHelpOptions = true, versionProvider = LogcastCommand.Version.class,
        sortOptions = false,
        description = "Write a self-signed certificate (PEM) and its private key (PKCS#8 PEM, mode 0600) for a "
                + "development TLS listener: tls.cert and tls.key. Clients must trust the certificate itself.")
public final class CertCommand implements Callable<Integer> {
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:=+-]+");

    @Spec
    private CommandSpec spec;

    @Option(names = "--self-signed", required = true,
            description = "Make a self-signed pair (the one kind this command makes).")
    private boolean selfSigned;

    @Option(names = "--host", required = true, split = ",", paramLabel = "NAME",
            description = "DNS name or IP address clients use to reach the broker; repeat (or separate by commas) "
                    + "for more. Each becomes a Subject Alternative Name; the first is also the common name.")
    private List<String> hosts;

    @Option(names = "--out-cert", paramLabel = "FILE", defaultValue = "logcast-cert.pem",
            description = "Certificate file to write (default: ${DEFAULT-VALUE}).")
    private Path certFile;

    @Option(names = "--out-key", paramLabel = "FILE", defaultValue = "logcast-key.pem",
            description = "Private key file to write, mode 0600 (default: ${DEFAULT-VALUE}).")
    private Path keyFile;

    @Option(names = "--days", paramLabel = "N", defaultValue = "365",
            description = "Days the certificate is valid, 1 to " + SelfSignedCertificate.MAX_DAYS
                    + " (default: ${DEFAULT-VALUE}).")
    private int days;

    @ArgGroup(exclusive = true)
    private KeyChoice keyChoice;

    @Option(names = "--force", description = "Replace existing files.")
    private boolean force;

    /** {@code --ec} (the default) or {@code --rsa}. */
    static final class KeyChoice {
        @Option(names = "--ec", description = "EC P-256 key (default).")
        boolean ec;

        @Option(names = "--rsa", description = "RSA 2048 key, for clients without ECDSA.")
        boolean rsa;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        KeyKind kind = keyChoice != null && keyChoice.rsa ? KeyKind.RSA : KeyKind.EC;
        SelfSignedCertificate pair;
        try {
            pair = SelfSignedCertificate.generate(hosts, days, kind, Instant.now());
        } catch (IllegalArgumentException e) {
            err.println("logcast cert: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.USAGE;
        }
        Path cert = certFile.toAbsolutePath().normalize();
        Path key = keyFile.toAbsolutePath().normalize();
        if (cert.equals(key)) {
            err.println("logcast cert: --out-cert and --out-key name the same file: " + cert);
            err.flush();
            return CommandLine.ExitCode.USAGE;
        }
        try {
            pair.write(cert, key, force);
        } catch (FileAlreadyExistsException e) {
            err.println("logcast cert: " + e.getFile() + " exists; --force replaces it");
            err.flush();
            return 1;
        } catch (IOException e) {
            err.println("logcast cert: cannot write: " + e);
            err.flush();
            return 1;
        }
        String host = hosts.get(0).trim();
        String urlHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        out.println("Wrote a self-signed " + kind.description() + " certificate for " + String.join(", ", hosts)
                + ", valid until " + pair.certificate().getNotAfter().toInstant() + ":");
        out.println("  certificate  " + cert);
        out.println("  private key  " + key + " (mode 0600)");
        out.println("Serve HTTPS with it: put these lines in the config file");
        out.println("  tls.cert=" + cert);
        out.println("  tls.key=" + key);
        out.println("  tls.port=7443");
        out.println("or run: logcast serve --tls.cert " + shellWord(cert) + " --tls.key " + shellWord(key));
        out.println("Clients must trust this certificate itself (development only), e.g.:");
        out.println("  curl --cacert " + shellWord(cert) + " https://" + urlHost + ":7443/healthz");
        out.flush();
        return 0;
    }

    private static String shellWord(Path path) {
        String text = path.toString();
        return SHELL_SAFE.matcher(text).matches() ? text : "'" + text.replace("'", "'\\''") + "'";
    }
}
