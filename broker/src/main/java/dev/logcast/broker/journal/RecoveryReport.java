package dev.logcast.broker.journal;

/**
 * What {@link Journal#open} found.
 *
 * @param events         records kept
 * @param segments       segment files kept
 * @param truncatedBytes bytes dropped from torn or corrupt tails (0 after a clean shutdown)
 * @param firstId        oldest id kept, 0 when empty
 * @param lastId         newest id kept, 0 when empty: the broker's ids continue after it
 * @param millis         how long recovery took
 */
public record RecoveryReport(long events, int segments, long truncatedBytes, long firstId, long lastId, long millis) {
}
