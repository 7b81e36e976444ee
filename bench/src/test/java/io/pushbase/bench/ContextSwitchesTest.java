package io.pushbase.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ContextSwitchesTest {
    @Test
    void readsBothCountsOfAStatusFile() {
        List<String> status =
                List.of(
                        "Name:\tjava",
                        "Threads:\t42",
                        "voluntary_ctxt_switches:\t1200",
                        "nonvoluntary_ctxt_switches:\t34");

        assertThat(ContextSwitches.ofStatus(status)).isEqualTo(1234);
        assertThat(ContextSwitches.ofStatus(status.subList(0, 3))).isEqualTo(-1);
    }

    /**
     * A sleeping thread is switched off its CPU every time (the kernel blocks it in nanosleep),
     * whereas a hand-off between two threads may complete while one spins and never block. The
     * sleeping thread stays alive until the second reading, so its count is in both.
     */
    @Test
    void countsTheBlockingOfALiveThreadOfThisProcess() throws Exception {
        long pid = ProcessHandle.current().pid();
        int sleeps = 100;
        long before = ContextSwitches.total(pid);

        for (int i = 0; i < sleeps; i++) {
            Thread.sleep(1);
        }
        long after = ContextSwitches.total(pid);

        assertThat(before).isPositive();
        assertThat(after - before).isGreaterThanOrEqualTo(sleeps);
    }

    @Test
    void aProcessThatIsGoneIsUnknown() {
        assertThat(ContextSwitches.total(Long.MAX_VALUE)).isEqualTo(-1);
    }
}
