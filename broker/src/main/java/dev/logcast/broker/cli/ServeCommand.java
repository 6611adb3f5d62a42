package dev.logcast.broker.cli;

import dev.logcast.broker.config.BrokerConfig;
import dev.logcast.broker.config.ConfigException;
import dev.logcast.broker.config.Durations;
import dev.logcast.broker.server.Broker;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code logcast serve [--config FILE] [--<key> VALUE ...]}: runs the broker until SIGTERM or SIGINT, then shuts it
 * down gracefully (bounded by {@code shutdown.grace}) and exits 0. SIGHUP reloads the key file ({@code auth.keys})
 * without dropping connections.
 *
 * <p>Exit codes: 0 after a signal-driven shutdown; 2 for a bad configuration (nothing started); 1 when the broker
 * cannot start or stops without being asked.
 *
 * <p>The signals are handled with {@code sun.misc.Signal} rather than a shutdown hook, so that a graceful stop
 * exits 0 (systemd's success) rather than the 143 the JVM's default handler gives.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = LogcastCommand.Version.class,
        abbreviateSynopsis = true, sortOptions = false,
        description = "Run the broker. Every configuration key is a flag; flags win over LOGCAST_* variables, "
                + "which win over the config file.")
public final class ServeCommand implements Callable<Integer> {

    /** What {@code serve} needs of a started broker: {@link Broker} in production, a fake in tests. */
    interface RunningBroker {
        /** Graceful stop, bounded by {@code shutdown.grace}; returns when done. */
        void shutdown() throws Exception;

        /** Returns once the broker has stopped, however it stopped. */
        void awaitTermination() throws InterruptedException;

        /** Re-reads what may change without a restart (the key file); on SIGHUP. */
        default void reload() {
        }
    }

    /** Starts a broker; returns once it listens. */
    @FunctionalInterface
    interface Starter {
        RunningBroker start(BrokerConfig config) throws Exception;
    }

    /** Arranges for the stop action to run, with the signal's name, on each SIGTERM or SIGINT. */
    @FunctionalInterface
    interface StopSignals {
        void install(Consumer<String> onSignal);

        /** Arranges for {@code onReload} to run on each SIGHUP; tests' signals need not. */
        default void installReload(Runnable onReload) {
        }
    }

    /** The production signals: SIGTERM and SIGINT stop, SIGHUP reloads. */
    static final StopSignals SIGNALS = new StopSignals() {
        @Override
        public void install(Consumer<String> onSignal) {
            handleTermAndInt(onSignal);
        }

        @Override
        public void installReload(Runnable onReload) {
            Signal.handle(new Signal("HUP"), signal -> onReload.run());
        }
    };

    /** EX_SOFTWARE (sysexits.h): an internal error stopped the broker. */
    static final int EXIT_THREAD_DIED = 70;

    @Spec
    private CommandSpec spec;

    private final Map<String, String> env;
    private final Starter starter;
    private final StopSignals stopSignals;

    ServeCommand(Map<String, String> env, Starter starter, StopSignals stopSignals) {
        this.env = Map.copyOf(env);
        this.starter = starter;
        this.stopSignals = stopSignals;
    }

    /** The production starter: {@link Broker#start}. */
    static RunningBroker startBroker(BrokerConfig config) throws Exception {
        // a broker thread that dies (the journal writer on an OutOfMemoryError, say) leaves a broker that looks up
        // and takes no more writes: stop at once instead, so that the service manager starts a new one (what was
        // answered 202 is on disk)
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            try {
                System.err.println("logcast serve: thread " + thread.getName() + " died (" + e
                        + "); exiting with status " + EXIT_THREAD_DIED + " to be restarted");
                e.printStackTrace();
                System.err.flush();
            } finally {
                Runtime.getRuntime().halt(EXIT_THREAD_DIED);
            }
        });
        Broker broker = Broker.start(config);
        return new RunningBroker() {
            @Override
            public void shutdown() {
                broker.shutdown();
            }

            @Override
            public void awaitTermination() throws InterruptedException {
                broker.awaitTermination();
            }

            @Override
            public void reload() {
                broker.reload();
            }
        };
    }

    /** The production signals: SIGTERM and SIGINT through {@code sun.misc.Signal}. */
    static void handleTermAndInt(Consumer<String> onSignal) {
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> onSignal.accept("SIG" + signal.getName()));
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        BrokerConfig config;
        try {
            config = ConfigFlags.load(spec, env);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            err.flush();
            return LogcastCommand.EXIT_CONFIG;
        }
        Stopper stopper = new Stopper(err, Durations.format(config.shutdownGraceMs()));
        // Handlers go in before the broker starts: a signal during start-up stops it as soon as it is up, and a
        // SIGHUP then is ignored rather than killing the JVM (its default action).
        stopSignals.install(stopper::onSignal);
        AtomicReference<RunningBroker> running = new AtomicReference<>();
        stopSignals.installReload(() -> {
            RunningBroker b = running.get();
            if (b != null) {
                err.println("logcast serve: SIGHUP, reloading the key file");
                err.flush();
                b.reload();
            }
        });
        RunningBroker broker;
        try {
            broker = starter.start(config);
        } catch (Exception e) {
            err.println("logcast serve: cannot start: " + describe(e));
            err.flush();
            return 1;
        }
        running.set(broker);
        stopper.started(broker);
        broker.awaitTermination();
        if (!stopper.requested()) {
            err.println("logcast serve: the broker stopped without being asked to");
            err.flush();
            return 1;
        }
        return stopper.awaitStopped() ? 0 : 1;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getName() : message;
    }

    /**
     * Calls {@link RunningBroker#shutdown()} exactly once, on the first stop signal, whether that comes before or
     * after the broker is up. A signal handler thread and the main thread use it; the request flag and the broker
     * reference are each written before the other is read, so one of the two threads always sees both.
     */
    private static final class Stopper {
        private final PrintWriter err;
        private final String grace;
        private final AtomicBoolean requested = new AtomicBoolean();
        private final AtomicBoolean shutdownCalled = new AtomicBoolean();
        private final AtomicReference<RunningBroker> broker = new AtomicReference<>();
        private final CountDownLatch stopped = new CountDownLatch(1);
        private volatile boolean clean = true;

        Stopper(PrintWriter err, String grace) {
            this.err = err;
            this.grace = grace;
        }

        void onSignal(String signal) {
            if (requested.getAndSet(true)) {
                err.println("logcast serve: " + signal + " again; already stopping, within shutdown.grace " + grace);
            } else {
                err.println("logcast serve: " + signal + ", shutting down (shutdown.grace " + grace + ")");
            }
            err.flush();
            stopOnce();
        }

        void started(RunningBroker running) {
            broker.set(running);
            if (requested.get()) {
                stopOnce();
            }
        }

        boolean requested() {
            return requested.get();
        }

        /** Waits until the shutdown call has returned; false when it failed. */
        boolean awaitStopped() throws InterruptedException {
            stopped.await();
            return clean;
        }

        private void stopOnce() {
            RunningBroker running = broker.get();
            if (running == null || !shutdownCalled.compareAndSet(false, true)) {
                return;
            }
            try {
                running.shutdown();
            } catch (Exception e) {
                clean = false;
                err.println("logcast serve: shutdown failed: " + describe(e));
                err.flush();
            } finally {
                stopped.countDown();
            }
        }
    }
}
