package io.pushbase.comet.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplaySlotsTest {
    private final ReplaySlots slots = new ReplaySlots(2);
    private final List<String> granted = new ArrayList<>();

    private ReplaySlots.Ticket ask(String name) {
        return slots.acquire(() -> granted.add(name));
    }

    @Test
    void grantsAtOnceUpToTheBoundThenInArrivalOrder() {
        ReplaySlots.Ticket a = ask("a");
        ReplaySlots.Ticket b = ask("b");
        ask("c");
        ask("d");
        assertThat(granted).containsExactly("a", "b");
        assertThat(slots.taken()).isEqualTo(2);
        assertThat(slots.waiting()).isEqualTo(2);

        b.release();
        assertThat(granted).containsExactly("a", "b", "c");
        a.release();
        assertThat(granted).containsExactly("a", "b", "c", "d");
        assertThat(slots.taken()).isEqualTo(2);
        assertThat(slots.waiting()).isZero();
    }

    @Test
    void releasingTwiceGivesBackOneSlot() {
        ReplaySlots.Ticket a = ask("a");
        ask("b");
        ask("c");

        a.release();
        a.release();

        assertThat(granted).containsExactly("a", "b", "c");
        assertThat(slots.taken()).isEqualTo(2);
    }

    @Test
    void aWaitingTicketReleasedLeavesTheQueueWithoutASlot() {
        ReplaySlots.Ticket a = ask("a");
        ask("b");
        ReplaySlots.Ticket c = ask("c");
        ask("d");

        c.release();
        a.release();

        assertThat(granted).containsExactly("a", "b", "d");
        assertThat(slots.waiting()).isZero();
        assertThat(slots.taken()).isEqualTo(2);
    }

    @Test
    void theBoundIsPositive() {
        assertThatThrownBy(() -> new ReplaySlots(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
