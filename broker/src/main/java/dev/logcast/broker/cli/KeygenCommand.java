package dev.logcast.broker.cli;

import dev.logcast.broker.auth.KeyFile;
import dev.logcast.broker.config.ConfigException;
import dev.logcast.protocol.token.HmacKey;
import dev.logcast.protocol.token.TokenFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code logcast keygen [--kid K] [--keys FILE]}: adds a key line ({@code <kid> <base64 of 32 SecureRandom
 * bytes>}) to the key file, creating it with mode 0600 when missing. The new key is the last line, so
 * {@code token create} signs with it from now on; the older keys keep verifying their tokens (rotation). A running
 * broker loads it on restart or SIGHUP. Prints where the key went, never the secret.
 *
 * <p>Exit codes: 0 done; 1 the file cannot be read or written, or already has the kid; 2 bad usage or config.
 */
@Command(name = "keygen", mixinStandardHelpOptions = true, versionProvider = LogcastCommand.Version.class,
        sortOptions = false,
        description = "Add a new HMAC key (32 random bytes) to the key file, creating it (mode 0600) if missing.")
public final class KeygenCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--kid", paramLabel = "<kid>",
            description = "the key id, [A-Za-z0-9_-]{1,64}; default: k<yyyyMMdd>-<4 random hex digits>")
    private String kid;

    @Mixin
    private KeyFileOptions keyFile;

    private final Map<String, String> env;

    KeygenCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (kid != null && !TokenFormat.isKid(kid)) {
            err.println("logcast keygen: --kid \"" + kid + "\" is not [A-Za-z0-9_-]{1,64}");
            err.flush();
            return LogcastCommand.EXIT_CONFIG;
        }
        Path file;
        try {
            file = keyFile.resolve(env);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            err.flush();
            return LogcastCommand.EXIT_CONFIG;
        }
        HmacKey key;
        try {
            key = KeyFile.append(file, kid, new SecureRandom());
        } catch (IOException e) {
            err.println("logcast keygen: " + e.getMessage());
            err.flush();
            return 1;
        }
        out.println("added key " + key.kid() + " to " + file
                + "; tokens are signed with it from now on; restart the broker or send it SIGHUP to load it");
        out.flush();
        return 0;
    }
}
