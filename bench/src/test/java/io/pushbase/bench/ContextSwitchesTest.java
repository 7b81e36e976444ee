package io.pushbase.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.SynchronousQueue;
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
     * Two threads of this process hand a token back and forth through a queue with no capacity:
     * each hand-off parks the receiver until the sender arrives, so every round trip blocks a
     * thread at least once. The process's count must grow by at least the number of round trips.
     */
    @Test
    void countsTheHandOffsOfThisProcess() throws Exception {
        long pid = ProcessHandle.current().pid();
        int rounds = 500;
        SynchronousQueue<Integer> ping = new SynchronousQueue<>();
        SynchronousQueue<Integer> pong = new SynchronousQueue<>();
        Thread echo =
                new Thread(
                        () -> {
                            try {
                                for (int i = 0; i < rounds; i++) {
                                    pong.put(ping.take());
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
        echo.start();
        long before = ContextSwitches.total(pid);

        for (int i = 0; i < rounds; i++) {
            ping.put(i);
            pong.take();
        }
        echo.join();
        long after = ContextSwitches.total(pid);

        assertThat(before).isPositive();
        assertThat(after - before).isGreaterThanOrEqualTo(rounds);
    }

    @Test
    void aProcessThatIsGoneIsUnknown() {
        assertThat(ContextSwitches.total(Long.MAX_VALUE)).isEqualTo(-1);
    }
}
