package dev.logcast.protocol;

/**
 * The size limits of ingest, all configurable; the defaults are the contract's.
 *
 * @param maxBodyBytes       request body after decompression
 * @param maxEventsPerBatch  events in one request
 * @param maxMsgBytes        {@code msg}, in UTF-8 bytes
 * @param maxAttrs           entries in {@code attrs}
 * @param maxAttrKeyChars    length of one attr key
 * @param maxAttrValueBytes  one attr value (strings: UTF-8 bytes; other values: their JSON text)
 */
public record EventLimits(
        long maxBodyBytes,
        int maxEventsPerBatch,
        int maxMsgBytes,
        int maxAttrs,
        int maxAttrKeyChars,
        int maxAttrValueBytes) {

    public static final EventLimits DEFAULTS = new EventLimits(8L << 20, 10_000, 64 << 10, 64, 128, 4 << 10);
}
