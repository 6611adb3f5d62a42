package dev.logcast.broker.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.DoubleSupplier;

/**
 * The broker's Prometheus series, kept by prometheus-metrics-core and written in its text format. Counters are
 * thread-safe (striped adders); gauges that mirror single-writer state are read through callbacks at scrape time.
 */
public final class BrokerMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);

    private final Counter ingestedEvents = Counter.builder()
            .name("logcast_ingested_events_total").help("Events accepted and sequenced").register(registry);
    private final Counter ingestRequests = Counter.builder()
            .name("logcast_ingest_requests_total").help("Ingest requests answered, by status")
            .labelNames("status").register(registry);
    private final Counter rejected = Counter.builder()
            .name("logcast_rejected_total").help("Requests rejected, by reason").labelNames("reason")
            .register(registry);
    private final Counter otlpRejectedRecords = Counter.builder()
            .name("logcast_otlp_rejected_records_total").help("OTLP log records rejected as invalid (partial success)")
            .register(registry);
    private final Gauge subscribers = Gauge.builder()
            .name("logcast_subscribers").help("Open stream connections").register(registry);
    private final Gauge pollWaiters = Gauge.builder()
            .name("logcast_poll_waiters").help("Long polls waiting for events").register(registry);
    private final Counter replayed = Counter.builder()
            .name("logcast_replayed_events_total").help("Events sent from retention (resume, tail)")
            .register(registry);
    private final Counter overflowCloses = Counter.builder()
            .name("logcast_overflow_closes_total").help("Streams closed for being over their outbound cap")
            .register(registry);
    private final Counter authFailures = Counter.builder()
            .name("logcast_auth_failures_total").help("Requests refused by authentication, by reason")
            .labelNames("reason").register(registry);
    private final Histogram fsyncLatency = Histogram.builder()
            .name("logcast_journal_fsync_seconds").help("Journal fsync latency (storage=disk only)")
            .classicOnly().classicUpperBounds(0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1)
            .register(registry);

    public void ingested(int events) {
        ingestedEvents.inc(events);
    }

    public void ingestAnswered(int status) {
        if (status < 100 || status > 599) {
            ingestRequests.labelValues(Integer.toString(status)).inc();
            return;
        }
        CounterDataPoint point = answeredByStatus[status - 100];
        if (point == null) {
            // racy but benign: every thread gets the same data point for a label value
            point = ingestRequests.labelValues(Integer.toString(status));
            answeredByStatus[status - 100] = point;
        }
        point.inc();
    }

    /** The data point of each status, looked up once (a lookup builds a label list every time). */
    private final CounterDataPoint[] answeredByStatus = new CounterDataPoint[500];

    /** A request refused; {@code reason} is a short snake_case word (bad_request, too_large, overloaded...). */
    public void rejected(String reason) {
        rejected.labelValues(reason).inc();
    }

    public void otlpRecordsRejected(long records) {
        otlpRejectedRecords.inc(records);
    }

    public void subscriberAdded() {
        subscribers.inc();
    }

    public void subscriberRemoved() {
        subscribers.dec();
    }

    public void pollWaiting(int delta) {
        pollWaiters.inc(delta);
    }

    public void delivered(long events) {
        replayed.inc(events);
    }

    public void overflowClosed() {
        overflowCloses.inc();
    }

    public void authFailed(String reason) {
        authFailures.labelValues(reason).inc();
    }

    public void fsyncSeconds(double seconds) {
        fsyncLatency.observe(seconds);
    }

    /** Registers a counter read at scrape time (e.g. the shards' delivered counts). */
    public void counter(String name, String help, DoubleSupplier value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble()))
                .register(registry);
    }

    /** Registers a gauge read at scrape time (queue depths, retention size). */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble()))
                .register(registry);
    }

    /** A labelled gauge read at scrape time; one call per label value. */
    public GaugeWithCallback.Builder gaugeBuilder(String name, String help) {
        return GaugeWithCallback.builder().name(name).help(help);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The text exposition (format 0.0.4). */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
