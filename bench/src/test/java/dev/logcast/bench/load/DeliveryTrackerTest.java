package dev.logcast.bench.load;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryTrackerTest {

    private static AckedEvents acked(int publishers, long... seqsOfPublisherZero) {
        AckedEvents acked = new AckedEvents(publishers);
        for (long seq : seqsOfPublisherZero) {
            acked.add(0, seq, 1);
        }
        return acked;
    }

    @Test
    void inOrderDeliveryOfEveryAcknowledgedEventIsCompleteWithNothingLost() {
        DeliveryTracker tracker = new DeliveryTracker(1);
        for (long seq = 0; seq < 5; seq++) {
            assertThat(tracker.onDelivery(0, seq)).isEqualTo(DeliveryTracker.FRESH);
        }
        AckedEvents acked = acked(1, 0, 1, 2, 3, 4);
        assertThat(tracker.complete(acked)).isTrue();
        assertThat(tracker.lost(acked)).isZero();
        assertThat(tracker.duplicates).isZero();
        assertThat(tracker.reordered).isZero();
    }

    @Test
    void aSkippedEventThatArrivesLaterIsReorderedNotLost() {
        DeliveryTracker tracker = new DeliveryTracker(1);
        tracker.onDelivery(0, 0);
        tracker.onDelivery(0, 2);
        assertThat(tracker.complete(acked(1, 0, 1, 2))).isFalse();
        assertThat(tracker.onDelivery(0, 1)).isEqualTo(DeliveryTracker.LATE);
        assertThat(tracker.reordered).isEqualTo(1);
        assertThat(tracker.lost(acked(1, 0, 1, 2))).isZero();
        assertThat(tracker.complete(acked(1, 0, 1, 2))).isTrue();
    }

    @Test
    void aSecondArrivalIsADuplicate() {
        DeliveryTracker tracker = new DeliveryTracker(1);
        tracker.onDelivery(0, 0);
        tracker.onDelivery(0, 1);
        assertThat(tracker.onDelivery(0, 1)).isEqualTo(DeliveryTracker.DUPLICATE);
        assertThat(tracker.onDelivery(0, 0)).isEqualTo(DeliveryTracker.DUPLICATE);
        assertThat(tracker.duplicates).isEqualTo(2);
    }

    @Test
    void onlyAcknowledgedEventsThatNeverArrivedAreLost() {
        DeliveryTracker tracker = new DeliveryTracker(1);
        tracker.onDelivery(0, 0);
        tracker.onDelivery(0, 4);
        // 1 and 2 acknowledged but skipped, 3 refused by the server (never acknowledged), 5 and 6 never arrived
        AckedEvents acked = acked(1, 0, 1, 2, 4, 5, 6);
        assertThat(tracker.lost(acked)).isEqualTo(4);
        assertThat(tracker.complete(acked)).isFalse();
    }

    @Test
    void publishersAreTrackedIndependently() {
        DeliveryTracker tracker = new DeliveryTracker(2);
        tracker.onDelivery(1, 0);
        tracker.onDelivery(0, 0);
        tracker.onDelivery(1, 1);
        AckedEvents acked = new AckedEvents(2);
        acked.add(0, 0, 1);
        acked.add(1, 0, 2);
        assertThat(tracker.lost(acked)).isZero();
        assertThat(tracker.reordered).isZero();
    }

    @Test
    void ackedCountsAcrossWordBoundaries() {
        AckedEvents acked = new AckedEvents(1);
        acked.add(0, 0, 200);
        acked.add(0, 5000, 100);
        assertThat(acked.count(0, 0, Long.MAX_VALUE)).isEqualTo(300);
        assertThat(acked.count(0, 63, 65)).isEqualTo(2);
        assertThat(acked.count(0, 190, 5010)).isEqualTo(20);
        assertThat(acked.highest(0)).isEqualTo(5099);
        assertThat(acked.total()).isEqualTo(300);
    }
}
