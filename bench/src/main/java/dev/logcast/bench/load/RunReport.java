package dev.logcast.bench.load;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one run, in insertion order: printed as a table for people and as one flat JSON object for scripts
 * (numbers stay numbers; absent figures are {@code null}).
 */
public final class RunReport {

    private final Map<String, Object> figures = new LinkedHashMap<>();

    RunReport put(String key, Object value) {
        figures.put(key, value);
        return this;
    }

    /** A figure by key, or null. */
    public Object get(String key) {
        return figures.get(key);
    }

    private String num(String key) {
        Object v = figures.get(key);
        if (v == null) {
            return "-";
        }
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, d >= 100 ? "%,.0f" : "%,.2f", d);
        }
        if (v instanceof Long || v instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        }
        return v.toString();
    }

    /** The human table. */
    public void printTable(PrintWriter out) {
        out.printf("logcast load generator: target %s %s:%s, %s transport%n", num("target"), num("host"),
                figures.get("port"), num("transport"));
        if (Boolean.TRUE.equals(figures.get("idle"))) {
            out.printf("  idle streams      %s open of %s requested (%s failed), opened in %s s%n", num("openAtEnd"),
                    num("subscribersRequested"), num("subscribersFailed"), num("connectSeconds"));
            out.printf("  server RSS        baseline %s KiB, with streams %s KiB (peak %s KiB)%n",
                    num("baselineRssKiB"), num("serverRssKiB"), num("serverRssMaxKiB"));
            out.printf("  RSS per stream    %s bytes%n", num("rssPerStreamBytes"));
            out.printf("  server CPU        %s %% of one core while idle%n", num("serverCpuPct"));
        } else {
            out.printf("  load              %s subscribers (%s failed), %s publishers, %s events/POST, rate %s, "
                            + "inflight %s, event %s bytes%n", num("subscribers"), num("subscribersFailed"),
                    num("publishers"), num("eventsPerPost"), rateText(), num("inflight"), num("eventBytes"));
            out.printf("  window            %s s after %s s warm-up%n", num("windowSeconds"), num("warmupSeconds"));
            out.printf("  published         %s events/s in window; %s sent, %s acked, %s rejected, %s errors, "
                            + "%s unanswered, %s reconnects%n", num("publishedPerSec"), num("sent"), num("acked"),
                    num("rejected"), num("errors"), num("unanswered"), num("publisherReconnects"));
            if (figures.get("subscribers") instanceof Integer n && n > 0) {
                out.printf("  delivered         %s events/s in window (sum over subscribers); %s of %s expected%n",
                        num("deliveredPerSec"), num("delivered"), num("expectedDeliveries"));
                out.printf("  integrity         lost %s, duplicated %s, reordered %s, foreign %s, malformed %s%n",
                        num("lost"), num("duplicated"), num("reordered"), num("foreign"), num("malformed"));
                out.printf("  streams           reconnects %s, overflow events %s, gap events %s, open at end %s%n",
                        num("subscriberReconnects"), num("overflows"), num("gaps"), num("openAtEnd"));
                out.printf("  time to answer    POST to 202/201: p50 %s  p99 %s  max %s (us)%n", num("ackP50Us"),
                        num("ackP99Us"), num("ackMaxUs"));
                out.printf("  latency (us)      p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (%s samples)%n",
                        num("latencyP50Us"), num("latencyP90Us"), num("latencyP99Us"), num("latencyP999Us"),
                        num("latencyMaxUs"), num("latencySamples"));
            }
            out.printf("  server            CPU %s %% of one core, RSS %s KiB (peak %s KiB)%n", num("serverCpuPct"),
                    num("serverRssKiB"), num("serverRssMaxKiB"));
        }
        out.printf("  load generator    CPU %s %% of one core%n", num("loaderCpuPct"));
        out.printf("  machine           other processes %s %%, irq+softirq %s %% of one core%s%n", num("otherCpuPct"),
                num("interruptCpuPct"), busy() ? "  << BUSY MACHINE: figures disturbed" : "");
        if (figures.get("firstError") != null) {
            out.printf("  first error       %s%n", figures.get("firstError"));
        }
        out.flush();
    }

    /** Other processes took more than a fifth of a core during the window. */
    private boolean busy() {
        return figures.get("otherCpuPct") instanceof Double d && d > 20;
    }

    private String rateText() {
        Object rate = figures.get("rate");
        return rate instanceof Number n && n.longValue() == 0 ? "max (closed loop)" : num("rate") + "/s";
    }

    /** One line of JSON with every figure. */
    public String toJson() {
        StringBuilder json = new StringBuilder(1024).append('{');
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v == null) {
                json.append("null");
            } else if (v instanceof Double d) {
                json.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.3f", d) : "null");
            } else if (v instanceof Number || v instanceof Boolean) {
                json.append(v);
            } else {
                appendString(json, v.toString());
            }
        }
        return json.append('}').toString();
    }

    private static void appendString(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
