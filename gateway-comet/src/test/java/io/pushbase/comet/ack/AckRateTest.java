package io.pushbase.comet.ack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AckRateTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketAllowsPerSecondAcksAtOnceThenRefillsAtThatRate() {
        AckRate rate = new AckRate(4, 0);
        for (int i = 0; i < 4; i++) {
            assertThat(rate.take(0)).isTrue();
        }
        assertThat(rate.take(0)).isFalse();
        assertThat(rate.take(SECOND / 4)).isTrue();
        assertThat(rate.take(SECOND / 4)).isFalse();
        // Idle for long: never more than a bucketful.
        long later = 100 * SECOND;
        for (int i = 0; i < 4; i++) {
            assertThat(rate.take(later)).isTrue();
        }
        assertThat(rate.take(later)).isFalse();
    }
}
