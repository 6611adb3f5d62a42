package dev.logcast.broker.cli;

import dev.logcast.broker.auth.KeyFile;
import dev.logcast.broker.auth.KeyRing;
import dev.logcast.broker.config.ConfigException;
import dev.logcast.broker.config.Durations;
import dev.logcast.broker.config.ValueParser;
import dev.logcast.protocol.token.HmacKey;
import dev.logcast.protocol.token.TokenClaims;
import dev.logcast.protocol.token.TokenFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code logcast token}: the token commands; {@code logcast token create} mints one. Without a subcommand it prints
 * its usage and exits 2.
 */
@Command(name = "token", mixinStandardHelpOptions = true, versionProvider = LogcastCommand.Version.class,
        description = "Mint bearer tokens: logcast token create --sub S --scope read,write [--branch GLOB] ...")
public final class TokenCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }

    /**
     * {@code logcast token create --sub S --scope read,write,admin [--branch GLOB]... [--type T]... [--ttl 24h]
     * [--src NAME] [--kid K] [--keys FILE]}: prints a token ({@code lc1.<kid>.<claims>.<sig>}) on stdout, and on
     * stderr one line saying what it grants and until when. Signed with the key {@code --kid}, else the key file's
     * last key (the newest from {@code logcast keygen}).
     *
     * <p>Exit codes: 0 printed; 1 the key file cannot be read or lacks the kid; 2 bad usage or config.
     */
    @Command(name = "create", mixinStandardHelpOptions = true, versionProvider = LogcastCommand.Version.class,
            sortOptions = false, description = "Mint a token and print it.")
    public static final class Create implements Callable<Integer> {
        private static final ValueParser<Long> TTL = Durations.parser(1_000, 3_650L * 24 * 3600 * 1000);

        @Spec
        private CommandSpec spec;

        @Option(names = "--sub", required = true, paramLabel = "<subject>",
                description = "who the token is for (logs and metrics name it)")
        private String sub;

        @Option(names = "--scope", required = true, split = ",", paramLabel = "<scope>",
                description = "read (stream, poll, metrics), write (POST /v1/logs), admin (everything); "
                        + "comma-separated")
        private List<String> scopes;

        @Option(names = "--branch", split = ",", paramLabel = "<glob>",
                description = "limit the token to branches matching these globs (* = any run); repeatable; "
                        + "default: every branch")
        private List<String> branches;

        @Option(names = "--type", split = ",", paramLabel = "<type>",
                description = "limit the token to these event types; repeatable; default: every type")
        private List<String> types;

        @Option(names = "--ttl", defaultValue = "24h", paramLabel = "<duration>",
                description = "how long the token is valid: s, m, h (default: ${DEFAULT-VALUE})")
        private String ttl;

        @Option(names = "--src", paramLabel = "<source>",
                description = "every event written with the token gets this source")
        private String src;

        @Option(names = "--kid", paramLabel = "<kid>", description = "sign with this key; default: the file's last")
        private String kid;

        @Mixin
        private KeyFileOptions keyFile;

        private final Map<String, String> env;
        private final LongSupplier clockMillis;

        Create(Map<String, String> env, LongSupplier clockMillis) {
            this.env = Map.copyOf(env);
            this.clockMillis = clockMillis;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            long nowSeconds = clockMillis.getAsLong() / 1000;
            TokenClaims claims;
            Path file;
            try {
                long ttlSeconds = (TTL.parse(ttl.trim()) + 999) / 1000;
                claims = new TokenClaims(sub, scopes, branches == null ? null : new ArrayList<>(branches),
                        types == null ? null : new ArrayList<>(types), nowSeconds + ttlSeconds, nowSeconds, src);
                file = keyFile.resolve(env);
            } catch (ConfigException e) {
                return fail(err, e.getMessage(), LogcastCommand.EXIT_CONFIG);
            } catch (IllegalArgumentException e) {
                String what = e.getMessage().startsWith("claim") ? e.getMessage() : "--ttl \"" + ttl + "\" "
                        + e.getMessage();
                return fail(err, "logcast token create: " + what.replace("claim \"scope\"", "--scope")
                        .replace("claim \"branches\"", "--branch").replace("claim \"types\"", "--type")
                        .replace("claim \"src\"", "--src").replace("claim \"sub\"", "--sub"),
                        LogcastCommand.EXIT_CONFIG);
            }
            KeyRing ring;
            try {
                ring = KeyFile.read(file);
            } catch (NoSuchFileException e) {
                return fail(err, "logcast token create: no key file at " + file + "; `logcast serve` makes one on "
                        + "first start, or run `logcast keygen`", 1);
            } catch (IOException e) {
                return fail(err, "logcast token create: cannot read the key file: " + describe(e), 1);
            }
            HmacKey key = kid == null ? ring.newest() : ring.get(kid);
            if (key == null) {
                return fail(err, "logcast token create: " + (kid == null ? "the key file " + file + " has no key"
                        : "the key file " + file + " has no kid \"" + kid + "\" (it has: " + ring.kids() + ")"), 1);
            }
            out.println(TokenFormat.mint(key, claims));
            out.flush();
            err.println("logcast token create: sub " + claims.sub() + ", scope " + String.join(",", claims.scopes())
                    + ", branches " + (claims.branches() == null ? "all" : String.join(",", claims.branches()))
                    + ", types " + (claims.types() == null ? "all" : String.join(",", claims.types()))
                    + (claims.src() == null ? "" : ", src " + claims.src()) + ", expires "
                    + Instant.ofEpochSecond(claims.exp()) + ", kid " + key.kid());
            err.flush();
            return 0;
        }

        private static int fail(PrintWriter err, String message, int code) {
            err.println(message);
            err.flush();
            return code;
        }
    }

    /** An I/O problem as one line: the key file's own messages as they are, else the exception and its path. */
    static String describe(IOException e) {
        String message = e.getMessage();
        if (message != null && message.startsWith("auth.keys")) {
            return message;
        }
        return e.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2")
                .toLowerCase(java.util.Locale.ROOT) + (message == null ? "" : ": " + message);
    }
}
