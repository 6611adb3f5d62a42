package dev.logcast.bench.load;

import io.netty.channel.EventLoopGroup;
import org.HdrHistogram.Histogram;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One bounded run: open the subscribers, then either hold them idle and measure memory per stream, or publish for
 * warm-up plus the measured window, wait for answers and deliveries, and sum everything up into a {@link RunReport}.
 *
 * <p>Two event loops, one thread each: one for every subscriber, one for every publisher. The calling thread only
 * orchestrates and samples {@code /proc}.
 */
public final class LoadRun {

    private final LoadConfig config;

    public LoadRun(LoadConfig config) {
        this.config = config;
    }

    /**
     * Runs to the end. Expected failures (the target refuses every connection, say) come back as an
     * {@link IllegalStateException} with a message for the user.
     */
    public RunReport run() throws Exception {
        Transport transport = Transport.detect();
        int nonce = 1 + ThreadLocalRandom.current().nextInt(0xFFFE);
        ServerProcess server = config.serverPid() > 0 ? new ServerProcess(config.serverPid()) : null;
        if (server != null && !server.alive()) {
            throw new IllegalStateException("no process with pid " + config.serverPid());
        }
        EventLoopGroup subscriberLoop = transport.singleThreadGroup("loadgen-sub");
        EventLoopGroup publisherLoop = transport.singleThreadGroup("loadgen-pub");
        RssSampler rss = server == null ? null : new RssSampler(server);
        try {
            RunReport report = header(transport);
            long baselineKiB = rss == null ? 0 : rss.sample();
            Subscribers subscribers = new Subscribers(config, subscriberLoop.next(), transport, nonce);
            long connectStart = System.nanoTime();
            int subscribed = subscribers.connectAll().get(connectTimeoutSeconds(), TimeUnit.SECONDS);
            double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
            if (config.subscribers() > 0 && subscribed == 0) {
                SubscribeResult r = subscribers.finish(null).get();
                throw new IllegalStateException("no subscriber could connect: " + r.firstError());
            }
            if (config.idle()) {
                return idle(report, subscribers, server, rss, baselineKiB, connectSeconds);
            }
            return publish(report, subscribers, server, rss, transport, nonce, publisherLoop);
        } catch (TimeoutException e) {
            throw new IllegalStateException("subscribers did not all connect within " + connectTimeoutSeconds() + " s");
        } finally {
            if (rss != null) {
                rss.close();
            }
            subscriberLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            publisherLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            subscriberLoop.terminationFuture().await(5, TimeUnit.SECONDS);
            publisherLoop.terminationFuture().await(5, TimeUnit.SECONDS);
        }
    }

    private long connectTimeoutSeconds() {
        return 30 + config.subscribers() / 200;
    }

    private RunReport header(Transport transport) {
        return new RunReport()
                .put("target", config.target().name().toLowerCase())
                .put("host", config.host())
                .put("port", config.port())
                .put("transport", transport.name().toLowerCase())
                .put("idle", config.idle())
                .put("subscribersRequested", config.subscribers())
                .put("publishers", config.idle() ? 0 : config.publishers())
                .put("eventsPerPost", config.eventsPerPost())
                .put("rate", config.rate())
                .put("inflight", config.inflight())
                .put("eventBytes", Math.max(config.eventBytes(), EventLayout.minimumBytes(config.branch())))
                .put("warmupSeconds", config.warmup().toMillis() / 1000.0)
                .put("durationSeconds", config.duration().toMillis() / 1000.0)
                .put("serverPid", config.serverPid() > 0 ? config.serverPid() : null);
    }

    private RunReport idle(RunReport report, Subscribers subscribers, ServerProcess server, RssSampler rss,
                           long baselineKiB, double connectSeconds) throws Exception {
        TimeUnit.NANOSECONDS.sleep(config.warmup().toNanos());
        long serverTicks = server == null ? 0 : server.cpuTicks();
        long selfTicks = ServerProcess.selfCpuTicks();
        HostCpu host = HostCpu.sample();
        long start = System.nanoTime();
        TimeUnit.NANOSECONDS.sleep(config.duration().toNanos());
        double seconds = (System.nanoTime() - start) / 1e9;
        long serverTicksUsed = server == null ? 0 : server.cpuTicks() - serverTicks;
        long selfTicksUsed = ServerProcess.selfCpuTicks() - selfTicks;
        HostCpu hostEnd = HostCpu.sample();
        int open = subscribers.openStreams().get();
        long rssKiB = rss == null ? 0 : rss.sample();
        SubscribeResult r = subscribers.finish(null).get();
        report.put("subscribers", r.subscribed())
                .put("subscribersFailed", r.failed())
                .put("openAtEnd", open)
                .put("connectSeconds", connectSeconds)
                .put("subscriberReconnects", r.reconnects())
                .put("baselineRssKiB", server == null ? null : baselineKiB)
                .put("serverRssKiB", server == null ? null : rssKiB)
                .put("serverRssMaxKiB", server == null ? null : rss.peakKiB())
                .put("rssPerStreamBytes", server == null || open == 0 ? null : (rssKiB - baselineKiB) * 1024.0 / open)
                .put("serverCpuPct", server == null ? null : cpuPercent(serverTicksUsed, seconds))
                .put("loaderCpuPct", cpuPercent(selfTicksUsed, seconds));
        hostFigures(report, host, hostEnd, serverTicksUsed + selfTicksUsed, seconds, server != null);
        report.put("firstError", r.firstError());
        return report;
    }

    private RunReport publish(RunReport report, Subscribers subscribers, ServerProcess server, RssSampler rss,
                              Transport transport, int nonce, EventLoopGroup publisherLoop) throws Exception {
        Publishers publishers = new Publishers(config, publisherLoop.next(), transport, nonce,
                () -> subscribers.markStopOnLoop());
        publishers.connect().get(30, TimeUnit.SECONDS);
        long start = System.nanoTime();
        RunClock clock = new RunClock(start - 1, start, start + config.warmup().toNanos(),
                start + config.warmup().toNanos() + config.duration().toNanos());
        subscribers.startWindow(clock).get();
        publishers.start(clock);

        long serverTicks = 0;
        long selfTicks = 0;
        long untilWarmupEnd = clock.warmupEnd() - System.nanoTime();
        try {
            publishers.stopped().get(Math.max(0, untilWarmupEnd), TimeUnit.NANOSECONDS);
        } catch (TimeoutException expected) {
            // warm-up over and still publishing: the measured window starts now
        }
        if (server != null) {
            serverTicks = server.cpuTicks();
        }
        selfTicks = ServerProcess.selfCpuTicks();
        HostCpu host = HostCpu.sample();
        long publishEnd = publishers.stopped().get(config.warmup().toSeconds() + config.duration().toSeconds() + 30,
                TimeUnit.SECONDS);
        double windowSeconds = Math.max(0, (publishEnd - clock.warmupEnd()) / 1e9);
        long serverTicksUsed = server == null ? 0 : server.cpuTicks() - serverTicks;
        long selfTicksUsed = ServerProcess.selfCpuTicks() - selfTicks;
        HostCpu hostEnd = HostCpu.sample();
        long rssKiB = rss == null ? 0 : rss.sample();

        PublishResult p = publishers.drained().get(config.drain().toSeconds() + 30, TimeUnit.SECONDS);
        subscribers.awaitDelivered(p.acked(), System.nanoTime() + config.drain().toNanos())
                .get(config.drain().toSeconds() + 30, TimeUnit.SECONDS);
        SubscribeResult s = subscribers.finish(p.acked()).get();

        Histogram latency = s.latency();
        boolean measured = windowSeconds > 0;
        report.put("subscribers", s.subscribed())
                .put("subscribersFailed", s.failed())
                .put("windowSeconds", windowSeconds)
                .put("sent", p.sentEvents())
                .put("acked", p.acked().total())
                .put("publishedPerSec", measured ? p.ackedInWindow() / windowSeconds : null)
                .put("rejected", p.rejected())
                .put("errors", p.errors())
                .put("unanswered", p.unanswered())
                .put("publisherReconnects", p.reconnects())
                .put("maxBehindEvents", p.maxBehindEvents())
                .put("delivered", s.delivered())
                .put("expectedDeliveries", p.acked().total() * s.subscribed())
                .put("deliveredPerSec", measured && s.windowNanos() > 0
                        ? s.deliveredInWindow() / (s.windowNanos() / 1e9) : null)
                .put("lost", s.lost())
                .put("duplicated", s.duplicated())
                .put("reordered", s.reordered())
                .put("foreign", s.foreign())
                .put("malformed", s.malformed())
                .put("overflows", s.overflows())
                .put("gaps", s.gaps())
                .put("subscriberReconnects", s.reconnects())
                .put("openAtEnd", s.openAtEnd())
                .put("ackP50Us", micros(p.ackLatency(), 50))
                .put("ackP99Us", micros(p.ackLatency(), 99))
                .put("ackMaxUs", p.ackLatency().getTotalCount() == 0 ? null : p.ackLatency().getMaxValue() / 1000.0)
                .put("latencySamples", latency.getTotalCount())
                .put("latencyP50Us", micros(latency, 50))
                .put("latencyP90Us", micros(latency, 90))
                .put("latencyP99Us", micros(latency, 99))
                .put("latencyP999Us", micros(latency, 99.9))
                .put("latencyMaxUs", latency.getTotalCount() == 0 ? null : latency.getMaxValue() / 1000.0)
                .put("serverCpuPct", server == null || !measured ? null : cpuPercent(serverTicksUsed, windowSeconds))
                .put("serverRssKiB", server == null ? null : rssKiB)
                .put("serverRssMaxKiB", server == null ? null : rss.peakKiB())
                .put("loaderCpuPct", measured ? cpuPercent(selfTicksUsed, windowSeconds) : null);
        hostFigures(report, host, hostEnd, serverTicksUsed + selfTicksUsed, windowSeconds, server != null && measured);
        report.put("firstError", p.firstError() != null ? p.firstError() : s.firstError());
        return report;
    }

    /**
     * {@code otherCpuPct}: what processes other than the broker and the generator took during the window (needs the
     * broker's pid); {@code interruptCpuPct}: irq and softirq time, where loopback TCP mostly runs.
     */
    private static void hostFigures(RunReport report, HostCpu start, HostCpu end, long ownTicks, double seconds,
                                    boolean known) {
        report.put("otherCpuPct", known ? cpuPercent(Math.max(0, end.processTicks() - start.processTicks() - ownTicks),
                        seconds) : null)
                .put("interruptCpuPct", seconds > 0 ? cpuPercent(end.interruptTicks() - start.interruptTicks(), seconds)
                        : null);
    }

    private static Double micros(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? null : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static double cpuPercent(long ticks, double seconds) {
        return seconds <= 0 ? 0 : ticks / ServerProcess.TICKS_PER_SECOND / seconds * 100.0;
    }
}
