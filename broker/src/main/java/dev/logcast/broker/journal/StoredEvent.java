package dev.logcast.broker.journal;

import dev.logcast.protocol.LogEvent;

/** One event as the journal stored it: its id, when the broker received it, and the event. Immutable. */
public record StoredEvent(long id, long receivedMillis, LogEvent event) {
}
