package dev.logcast.protocol.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.logcast.protocol.EventLimits;
import dev.logcast.protocol.LogEvent;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the native ingest bodies of {@code POST /v1/logs} into validated events: {@code application/json} (one
 * event object or an array of them) and {@code application/x-ndjson} (one event object a line; blank lines are
 * skipped, {@code \r\n} line ends are fine). Reads with jackson-core's streaming parser, in place from the buffer.
 *
 * <p>Every event is checked against the contract ("The event") and the {@link EventLimits}; a batch is atomic, so
 * the first bad event fails the whole body with an {@link IngestException} that names it by index: 400 for
 * malformed JSON, invalid UTF-8, wrong types and broken field rules, 413 for anything over a limit. {@code id} is
 * ignored, and so are top-level members this version does not know (forward compatibility); duplicate keys are
 * refused. {@code null} is a wrong type, not a missing field. Bad input never raises anything but
 * {@link IngestException}.
 *
 * <p>An {@code application/json} body may instead be OTLP/JSON: check {@link #isOtlpJson} first and hand those to
 * {@link OtlpDecoder#decodeJson}. The buffer's indices are left as they are and it is not released.
 * Stateless and thread-safe.
 */
public final class NativeDecoder {
    private NativeDecoder() {
    }

    /** Decodes an {@code application/json} body: one event object or an array of event objects. */
    public static List<LogEvent> decodeJson(ByteBuf body, EventLimits limits, long receiveTimeMillis)
            throws IngestException {
        int index = -1;
        try (BodyInput.ArrayBody input = BodyInput.openNative(body, limits)) {
            JsonParser p = input.parser();
            EventReader reader = new EventReader(limits, receiveTimeMillis, input);
            JsonToken t = p.nextToken();
            List<LogEvent> events;
            if (t == JsonToken.START_OBJECT) {
                index = 0;
                events = new ArrayList<>(1);
                events.add(reader.read(p, 0));
            } else if (t == JsonToken.START_ARRAY) {
                events = new ArrayList<>();
                index = 0;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    checkCount(index, limits);
                    if (t != JsonToken.START_OBJECT) {
                        throw IngestException.badRequest(index, "event " + index + ": expected an event object, got "
                                + BodyInput.describe(t));
                    }
                    events.add(reader.read(p, index));
                    index++;
                }
            } else if (t == null) {
                throw IngestException.badRequest(null, "empty body");
            } else {
                throw IngestException.badRequest(null, "expected an event object or an array of event objects, got "
                        + BodyInput.describe(t));
            }
            index = -1;
            if (p.nextToken() != null) {
                throw IngestException.badRequest(null, "trailing data after the top-level JSON value at line "
                        + p.currentTokenLocation().getLineNr());
            }
            return events;
        } catch (IOException e) {
            throw BodyInput.malformed(e, index < 0 ? null : index);
        } catch (IllegalStateException e) {
            throw BodyInput.tooManyNames(e, index < 0 ? null : index);
        }
    }

    /**
     * Decodes an {@code application/x-ndjson} body: one event object a line. A line holding two values, or an object
     * spread over several lines, is a 400; a body with no event at all is a 400 too.
     */
    public static List<LogEvent> decodeNdjson(ByteBuf body, EventLimits limits, long receiveTimeMillis)
            throws IngestException {
        int index = 0;
        try (BodyInput.ArrayBody input = BodyInput.openNative(body, limits)) {
            JsonParser p = input.parser();
            EventReader reader = new EventReader(limits, receiveTimeMillis, input);
            List<LogEvent> events = new ArrayList<>();
            int lastLine = 0;
            JsonToken t;
            // jackson reads a sequence of root-level values; its line numbers tell where each one starts and ends
            while ((t = p.nextToken()) != null) {
                int line = p.currentTokenLocation().getLineNr();
                if (line == lastLine) {
                    // the extra value shares the line of the event read last: blame that event
                    int culprit = index - 1;
                    throw IngestException.badRequest(culprit, "event " + culprit + ": line " + line
                            + " holds more than one JSON value (NDJSON takes one event object a line)");
                }
                checkCount(index, limits);
                if (t != JsonToken.START_OBJECT) {
                    throw IngestException.badRequest(index, "event " + index + ": expected an event object on line "
                            + line + ", got " + BodyInput.describe(t));
                }
                events.add(reader.read(p, index));
                lastLine = p.currentTokenLocation().getLineNr();
                if (lastLine != line) {
                    throw IngestException.badRequest(index, "event " + index + ": the object on line " + line
                            + " goes on to line " + lastLine + " (NDJSON takes one event object a line)");
                }
                index++;
            }
            if (events.isEmpty()) {
                throw IngestException.badRequest(null, "empty body: no event");
            }
            return events;
        } catch (IOException e) {
            throw BodyInput.malformed(e, index);
        } catch (IllegalStateException e) {
            throw BodyInput.tooManyNames(e, index);
        }
    }

    /**
     * Whether an {@code application/json} body is OTLP/JSON rather than native: its top level is an object with a
     * {@code resourceLogs} (or {@code resource_logs}) member. Reads the top-level member names only until it meets
     * that one (true) or a native event field (false), skipping other values; anything else, malformed JSON
     * included, is false and left to {@link #decodeJson} to report.
     */
    public static boolean isOtlpJson(ByteBuf body) {
        if (!body.isReadable()) {
            return false;
        }
        try (JsonParser p = BodyInput.parser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                switch (p.currentName()) {
                    case "resourceLogs", "resource_logs" -> {
                        return true;
                    }
                    case "id", "ts", "level", "type", "source", "branch", "msg", "attrs" -> {
                        return false;
                    }
                    default -> {
                        p.nextToken();
                        p.skipChildren();
                    }
                }
            }
            return false;
        } catch (IOException | IllegalStateException e) {
            return false;
        }
    }

    private static void checkCount(int index, EventLimits limits) throws IngestException {
        if (index == limits.maxEventsPerBatch()) {
            throw IngestException.tooLarge(null, "more than " + limits.maxEventsPerBatch() + " events in one request");
        }
    }
}
