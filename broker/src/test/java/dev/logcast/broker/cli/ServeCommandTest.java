package dev.logcast.broker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.config.BrokerConfig;
import dev.logcast.broker.config.ConfigKey;
import dev.logcast.broker.config.ConfigKeys;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ServeCommandTest {
    /**
     * A thread for each task: the serve runs block until stopped, so they must not share the common pool (whose
     * single worker on a 2-core machine they would hold; Java 17 gave CompletableFuture a thread per task there,
     * later versions do not).
     */
    private static final java.util.concurrent.Executor THREADS = task -> {
        Thread t = new Thread(task, "serve-command-test");
        t.setDaemon(true);
        t.start();
    };

    @Test
    void badValueExits2WithoutStartingAnything() {
        CliRun run = CliRun.run(Map.of(), "serve", "--stream.heartbeat", "fast");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err.strip()).isEqualTo("stream.heartbeat: \"fast\" is not a duration (use a whole number with"
                + " ms, s, m or h, e.g. 15s) (from flag --stream.heartbeat)");
    }

    @Test
    void badEnvironmentExits2WithoutStartingAnything() {
        CliRun run = CliRun.run(Map.of("LOGCAST_STORAGE", "tape"), "serve");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("storage: \"tape\"").contains("LOGCAST_STORAGE");
    }

    @Test
    void unknownFlagExits2WithoutStartingAnything() {
        CliRun run = CliRun.run(Map.of(), "serve", "--no.such.key", "1");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("--no.such.key");
    }

    @Test
    void everyKeyIsAFlagInTheHelp() {
        CliRun run = CliRun.run(Map.of(), "serve", "--help");
        assertThat(run.exitCode).isZero();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            assertThat(run.out).contains(key.flagName() + "=<" + key.label() + ">");
        }
        assertThat(run.out).contains("--config=<file>").contains("(default: <data.dir>/keys)");
    }

    @Test
    void startsWithTheLayeredConfigAndExits0AfterAStopSignal() throws Exception {
        FakeBroker broker = new FakeBroker();
        AtomicReference<BrokerConfig> started = new AtomicReference<>();
        Signals signals = new Signals();
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.run(
                Map.of("LOGCAST_PORT", "8002", "LOGCAST_BIND", "0.0.0.0"),
                config -> {
                    started.set(config);
                    return broker;
                }, signals, "serve", "--port", "0", "--shutdown.grace", "2s"), THREADS);
        assertThat(broker.awaiting.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(started.get().port()).isZero();
        assertThat(started.get().bind()).isEqualTo("0.0.0.0");
        assertThat(started.get().shutdownGraceMs()).isEqualTo(2_000L);

        signals.raise("SIGTERM");
        CliRun result = run.get(5, TimeUnit.SECONDS);
        assertThat(result.exitCode).isZero();
        assertThat(broker.shutdowns.get()).isEqualTo(1);
        assertThat(result.err.strip()).isEqualTo("logcast serve: SIGTERM, shutting down (shutdown.grace 2s)");
    }

    @Test
    void aSecondSignalDoesNotShutDownTwice() throws Exception {
        FakeBroker broker = new FakeBroker();
        broker.slowShutdown = new CountDownLatch(1);
        Signals signals = new Signals();
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(
                () -> CliRun.run(Map.of(), config -> broker, signals, "serve"), THREADS);
        assertThat(broker.awaiting.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> signals.raise("SIGINT"), THREADS);
        assertThat(broker.inShutdown.await(5, TimeUnit.SECONDS)).isTrue();
        signals.raise("SIGINT");
        broker.slowShutdown.countDown();
        first.get(5, TimeUnit.SECONDS);
        CliRun result = run.get(5, TimeUnit.SECONDS);
        assertThat(result.exitCode).isZero();
        assertThat(broker.shutdowns.get()).isEqualTo(1);
        assertThat(result.err).contains("SIGINT again; already stopping");
    }

    @Test
    void aSignalDuringStartUpStopsTheBrokerOnceItIsUp() throws Exception {
        FakeBroker broker = new FakeBroker();
        Signals signals = new Signals();
        CliRun result = CompletableFuture.supplyAsync(() -> CliRun.run(Map.of(), config -> {
            signals.raise("SIGTERM");
            return broker;
        }, signals, "serve"), THREADS).get(5, TimeUnit.SECONDS);
        assertThat(result.exitCode).isZero();
        assertThat(broker.shutdowns.get()).isEqualTo(1);
    }

    @Test
    void sighupReloadsTheRunningBrokerAndKeepsItRunning() throws Exception {
        FakeBroker broker = new FakeBroker();
        Signals signals = new Signals();
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.run(Map.of(), config -> {
            signals.raiseHup();
            return broker;
        }, signals, "serve"), THREADS);
        assertThat(broker.awaiting.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(broker.reloads.get()).as("a SIGHUP while the broker starts is ignored").isZero();

        signals.raiseHup();
        signals.raiseHup();

        assertThat(broker.reloads.get()).isEqualTo(2);
        assertThat(broker.shutdowns.get()).isZero();
        signals.raise("SIGTERM");
        CliRun result = run.get(5, TimeUnit.SECONDS);
        assertThat(result.exitCode).isZero();
        assertThat(result.err).contains("logcast serve: SIGHUP, reloading the key file");
    }

    @Test
    void failureToStartExits1WithTheReason() {
        CliRun run = CliRun.run(Map.of(), config -> {
            throw new java.net.BindException("Address already in use");
        }, new Signals(), "serve");
        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.err.strip()).isEqualTo("logcast serve: cannot start: Address already in use");
    }

    @Test
    void brokerStoppingUnaskedExits1() {
        FakeBroker broker = new FakeBroker();
        broker.terminated.countDown();
        CliRun run = CliRun.run(Map.of(), config -> broker, new Signals(), "serve");
        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.err).contains("stopped without being asked");
        assertThat(broker.shutdowns.get()).isZero();
    }

    /** Captures the stop and reload actions that {@code serve} installs, to raise "signals" by hand. */
    private static final class Signals implements ServeCommand.StopSignals {
        private volatile Consumer<String> onSignal;
        private volatile Runnable onReload;

        @Override
        public void install(Consumer<String> onSignal) {
            this.onSignal = onSignal;
        }

        @Override
        public void installReload(Runnable onReload) {
            this.onReload = onReload;
        }

        void raise(String name) {
            onSignal.accept(name);
        }

        void raiseHup() {
            onReload.run();
        }
    }

    private static final class FakeBroker implements ServeCommand.RunningBroker {
        final CountDownLatch terminated = new CountDownLatch(1);
        final CountDownLatch awaiting = new CountDownLatch(1);
        final CountDownLatch inShutdown = new CountDownLatch(1);
        final AtomicInteger shutdowns = new AtomicInteger();
        final AtomicInteger reloads = new AtomicInteger();
        volatile CountDownLatch slowShutdown;

        @Override
        public void reload() {
            reloads.incrementAndGet();
        }

        @Override
        public void shutdown() throws InterruptedException {
            shutdowns.incrementAndGet();
            inShutdown.countDown();
            if (slowShutdown != null) {
                slowShutdown.await();
            }
            terminated.countDown();
        }

        @Override
        public void awaitTermination() throws InterruptedException {
            awaiting.countDown();
            terminated.await();
        }
    }
}
