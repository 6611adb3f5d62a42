package dev.logcast.bench.load;

import org.HdrHistogram.Histogram;

/**
 * What the subscribers saw, summed over all of them.
 *
 * @param subscribed         subscribers whose first GET was answered 200
 * @param failed             subscribers whose first attempt failed or was refused
 * @param delivered          events received once (first arrivals, reordered ones included)
 * @param deliveredInWindow  of those, received between the end of warm-up and the stop of publishing
 * @param windowNanos        length of that window as the subscribers' loop saw it
 * @param lost               acknowledged events some subscriber never received (counted per subscriber)
 * @param duplicated         events received again
 * @param reordered          events received after a later event of the same publisher
 * @param foreign            events from another run or unknown publisher
 * @param malformed          payload markers followed by garbage
 * @param overflows          {@code event: overflow} messages
 * @param gaps               {@code event: gap} messages
 * @param reconnects         reconnections after a stream closed during the run
 * @param openAtEnd          streams open when the run ended
 * @param latency            publish-to-deliver nanoseconds, events sent after warm-up, first arrivals
 * @param firstError         first refusal or I/O error, or null
 */
record SubscribeResult(
        int subscribed,
        int failed,
        long delivered,
        long deliveredInWindow,
        long windowNanos,
        long lost,
        long duplicated,
        long reordered,
        long foreign,
        long malformed,
        long overflows,
        long gaps,
        long reconnects,
        int openAtEnd,
        Histogram latency,
        String firstError) {
}
