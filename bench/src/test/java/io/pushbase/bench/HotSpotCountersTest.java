package io.pushbase.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link HotSpotCounters} read from this test JVM's own hsperfdata file, as from a server's. */
class HotSpotCountersTest {
    private static final long PID = ProcessHandle.current().pid();

    @Test
    void aFullCollectionAddsItsPauseToThisJvmsGcTime() {
        HotSpotCounters before = HotSpotCounters.of(PID);

        System.gc(); // a stop-the-world full collection: counted in a collector's time
        HotSpotCounters after = HotSpotCounters.of(PID);

        assertThat(before.gcPauseNanos()).isNotNegative();
        assertThat(after.gcPauseNanos()).isGreaterThan(before.gcPauseNanos());
    }

    @Test
    void thisJvmHasSpentTimeCompilingAndTheCountNeverGoesBack() {
        // JUnit, AssertJ and the JDK's own startup have had methods compiled by now.
        HotSpotCounters first = HotSpotCounters.of(PID);
        long work = 0;
        for (int i = 0; i < 200_000; i++) {
            work += Long.toString(i).hashCode();
        }
        HotSpotCounters second = HotSpotCounters.of(PID);

        assertThat(work).isNotZero();
        assertThat(first.compileNanos()).isPositive();
        assertThat(second.compileNanos()).isGreaterThanOrEqualTo(first.compileNanos());
    }

    @Test
    void aProcessThatIsGoneOrAFileThatIsNotPerfDataIsUnknown() {
        assertThat(HotSpotCounters.of(Long.MAX_VALUE)).isEqualTo(HotSpotCounters.UNKNOWN);
        assertThat(HotSpotCounters.of(ByteBuffer.wrap(new byte[64])))
                .isEqualTo(HotSpotCounters.UNKNOWN);
    }
}
