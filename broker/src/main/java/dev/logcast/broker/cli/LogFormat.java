package dev.logcast.broker.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * One line per log record on stderr (journald adds its own timestamp; a terminal gets ours):
 * {@code 2026-11-24T21:48:06.123Z INFO  Broker: logcast listening on ...}. The daemon logs through
 * {@link System.Logger}, which is java.util.logging here, as is Netty's fallback. Request URIs are never logged
 * with their query (tokens travel there).
 */
final class LogFormat {
    private static final String FORMAT = "%1$tFT%1$tT.%1$tLZ %4$-7s %3$s: %5$s%6$s%n";

    private LogFormat() {
    }

    /** Installs the format unless the user configured java.util.logging themselves. */
    static void install() {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        System.setProperty("java.util.logging.SimpleFormatter.format", FORMAT);
        System.setProperty("user.timezone", "UTC");
        java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("UTC"));
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler handler = new ConsoleHandler();
        handler.setFormatter(new ShortNameFormatter());
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(Level.INFO);
    }

    /** SimpleFormatter with the logger's simple class name as the source. */
    private static final class ShortNameFormatter extends SimpleFormatter {
        @Override
        public String format(java.util.logging.LogRecord record) {
            String name = record.getLoggerName();
            if (name != null) {
                record.setSourceClassName(null);
                record.setSourceMethodName(null);
                int dot = name.lastIndexOf('.');
                record.setLoggerName(dot >= 0 ? name.substring(dot + 1) : name);
            }
            return super.format(record);
        }
    }
}
