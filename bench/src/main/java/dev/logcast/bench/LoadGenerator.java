package dev.logcast.bench;

import dev.logcast.bench.load.LoadConfig;
import dev.logcast.bench.load.LoadRun;
import dev.logcast.bench.load.RunReport;
import dev.logcast.bench.load.Target;
import io.netty.util.NetUtil;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * The load generator: holds N SSE subscribers and P publishers against logcast or nchan over loopback, for a bounded
 * time and event count, and reports throughput, integrity (lost, duplicated, reordered), publish-to-deliver latency and
 * the broker's CPU and memory. See docs/benchmarks.md.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Publishes log events and holds SSE subscribers against logcast or nchan on loopback, "
                + "then reports rates, loss, latency and the server's CPU and RSS.")
public final class LoadGenerator implements Callable<Integer> {

    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Duration MAX_RUN = Duration.ofMinutes(15);

    @Spec
    CommandSpec spec;

    @Option(names = "--target", description = "logcast, nchan or ceiling (the best-case Netty peer) (default: ${DEFAULT-VALUE})", defaultValue = "logcast",
            converter = TargetConverter.class)
    Target target;

    @Option(names = "--host", description = "loopback only: 127.0.0.0/8, ::1 or localhost (default: ${DEFAULT-VALUE})",
            defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--port", description = "default: 17070 for logcast, 18080 for nchan, 17071 for ceiling")
    Integer port;

    @Option(names = "--branch", description = "logcast branch / nchan channel (default: ${DEFAULT-VALUE})",
            defaultValue = "b1")
    String branch;

    @Option(names = "--subscribers", description = "SSE streams to hold (default: ${DEFAULT-VALUE})", defaultValue = "100")
    int subscribers;

    @Option(names = "--publishers", description = "publishing connections (default: ${DEFAULT-VALUE})", defaultValue = "4")
    int publishers;

    @Option(names = "--events-per-post", description = "K: logcast gets K events a POST, nchan K POSTs "
            + "(default: ${DEFAULT-VALUE})", defaultValue = "1")
    int eventsPerPost;

    @Option(names = "--rate", description = "events/s over all publishers; 0 = as fast as the server answers "
            + "(default: ${DEFAULT-VALUE})", defaultValue = "0")
    long rate;

    @Option(names = "--inflight", description = "batches of K events outstanding per publisher connection "
            + "(default: ${DEFAULT-VALUE})", defaultValue = "8")
    int inflight;

    @Option(names = "--duration", description = "measured window after warm-up; idle: how long to hold "
            + "(default: ${DEFAULT-VALUE})", defaultValue = "10s", converter = DurationConverter.class)
    Duration duration;

    @Option(names = "--warmup", description = "publishing before the window, no latency recorded "
            + "(default: ${DEFAULT-VALUE})", defaultValue = "2s", converter = DurationConverter.class)
    Duration warmup;

    @Option(names = "--drain", description = "after the stop, time allowed for answers and then deliveries "
            + "(default: ${DEFAULT-VALUE})", defaultValue = "5s", converter = DurationConverter.class)
    Duration drain;

    @Option(names = "--max-events", description = "cap on events published in the run (default: ${DEFAULT-VALUE})",
            defaultValue = "50000000")
    long maxEvents;

    @Option(names = "--event-bytes", description = "size of one event's JSON (default: ${DEFAULT-VALUE})",
            defaultValue = "100")
    int eventBytes;

    @Option(names = "--idle", description = "open the streams, publish nothing, report server RSS per stream")
    boolean idle;

    @Option(names = "--server-pid", description = "broker pid to sample CPU and RSS from /proc (children included)")
    long serverPid;

    @Option(names = "--token", description = "bearer token for logcast (with auth.mode hmac)")
    String token;

    @Option(names = "--connect-inflight", description = "subscriber connects in progress at once "
            + "(default: ${DEFAULT-VALUE})", defaultValue = "256")
    int connectInFlight;

    @Option(names = "--json", description = "also print every figure as one JSON line, last on stdout")
    boolean json;

    public static void main(String[] args) {
        // the subscribers read every byte of millions of events a second through ByteBuf.getByte; they stay inside
        // the readable bytes they were handed, so Netty's per-call bounds and reference-count checks only cost time
        // (as much as a tenth of the generator's core). An explicit -D setting wins.
        defaultProperty("io.netty.buffer.checkBounds", "false");
        defaultProperty("io.netty.buffer.checkAccessible", "false");
        System.exit(new CommandLine(new LoadGenerator()).execute(args));
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String problem = validate();
        if (problem != null) {
            err.println("loadgen: " + problem);
            return 2;
        }
        String address = host.equalsIgnoreCase("localhost") ? "127.0.0.1" : host;
        LoadConfig config = new LoadConfig(target, address, port != null ? port : target.defaultPort(), branch,
                subscribers, publishers, eventsPerPost, rate, inflight, duration, warmup, drain, maxEvents, eventBytes,
                idle, serverPid, token, connectInFlight);
        RunReport report;
        try {
            report = new LoadRun(config).run();
        } catch (IllegalStateException e) {
            err.println("loadgen: " + e.getMessage());
            return 1;
        }
        report.printTable(out);
        if (json) {
            out.println(report.toJson());
        }
        out.flush();
        return 0;
    }

    private String validate() {
        if (!isLoopback(host)) {
            return "--host must be a loopback address (127.0.0.0/8, ::1) or localhost, not '" + host + "'";
        }
        if (port != null && (port < 1 || port > 65535)) {
            return "--port must be 1..65535";
        }
        if (!BRANCH.matcher(branch).matches()) {
            return "--branch must match " + BRANCH.pattern();
        }
        if (subscribers < 0 || subscribers > 60_000) {
            return "--subscribers must be 0..60000";
        }
        if (!idle && (publishers < 1 || publishers > 256)) {
            return "--publishers must be 1..256";
        }
        if (eventsPerPost < 1 || eventsPerPost > 10_000) {
            return "--events-per-post must be 1..10000";
        }
        if (rate < 0 || rate > 10_000_000) {
            return "--rate must be 0..10000000";
        }
        if (inflight < 1 || inflight > 1024) {
            return "--inflight must be 1..1024";
        }
        if (maxEvents < eventsPerPost || maxEvents > 1_000_000_000L) {
            return "--max-events must be at least --events-per-post and at most 1000000000";
        }
        if (maxEvents / Math.max(1, publishers) > 0xFFFF_FFFFL) {
            return "--max-events per publisher must fit the payload's 32-bit sequence";
        }
        if (eventBytes < 1 || eventBytes > 60_000) {
            return "--event-bytes must be 1..60000";
        }
        if (duration.isZero() || warmup.isNegative() || connectInFlight < 1) {
            return "--duration must be positive and --connect-inflight at least 1";
        }
        if (warmup.plus(duration).plus(drain).compareTo(MAX_RUN) > 0) {
            return "--warmup + --duration + --drain must stay within " + MAX_RUN.toMinutes() + " minutes";
        }
        if (idle && subscribers == 0) {
            return "--idle needs --subscribers";
        }
        return null;
    }

    /** Literal loopback addresses and {@code localhost} only; no name is ever resolved through DNS. */
    public static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        byte[] address = NetUtil.createByteArrayFromIpAddressString(host);
        if (address == null) {
            return false;
        }
        try {
            return InetAddress.getByAddress(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Case-insensitive {@link Target} names. */
    static final class TargetConverter implements CommandLine.ITypeConverter<Target> {
        @Override
        public Target convert(String value) {
            try {
                return Target.valueOf(value.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not logcast, nchan or ceiling");
            }
        }
    }
}
