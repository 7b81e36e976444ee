package io.pushbase.launcher.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RestartBudgetTest {
    private final AtomicLong now = new AtomicLong();
    private final RestartBudget budget = new RestartBudget(now::get);

    @Test
    void backsOffExponentiallyAndGivesUpAfterFiveRestartsInTheWindow() {
        assertThat(budget.next()).isEqualTo(Duration.ofSeconds(1));
        assertThat(budget.next()).isEqualTo(Duration.ofSeconds(2));
        assertThat(budget.next()).isEqualTo(Duration.ofSeconds(4));
        assertThat(budget.next()).isEqualTo(Duration.ofSeconds(8));
        assertThat(budget.next()).isEqualTo(Duration.ofSeconds(16));
        assertThat(budget.next()).as("a crash loop").isNull();
        assertThat(budget.recent()).isEqualTo(5);
    }

    @Test
    void restartsOlderThanTheWindowNoLongerCount() {
        for (int i = 0; i < RestartBudget.MAX_RESTARTS; i++) {
            budget.next();
            now.addAndGet(Duration.ofMinutes(1).toNanos());
        }
        // 5 minutes later the first restarts are still in the 10-minute window.
        assertThat(budget.next()).isNull();
        now.addAndGet(Duration.ofMinutes(6).toNanos());
        assertThat(budget.next()).isNotNull();
        now.addAndGet(RestartBudget.WINDOW.toNanos() + 1);
        assertThat(budget.next()).isEqualTo(RestartBudget.FIRST_DELAY);
    }
}
