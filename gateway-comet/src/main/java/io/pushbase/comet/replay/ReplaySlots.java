package io.pushbase.comet.replay;

import java.util.ArrayDeque;
import java.util.Objects;

/**
 * The comet's bound on replay reads in flight: at most {@code max} replays have a {@code Fetch}
 * outstanding at the message nodes at once; the others wait their turn in arrival order. A replay
 * takes a slot per page and gives it back as soon as the page is answered, so a client that stops
 * reading (its replay waits for it to catch up, holding no slot) never holds up other resumes, and
 * many clients resuming at once (a comet restart) reach the message nodes {@code max} pages at a
 * time, taking turns page by page.
 *
 * <p>Thread-safe; never blocks. A grant runs its callback on the thread that made the slot free
 * (the caller of {@link #acquire} or of another ticket's {@link Ticket#release}), outside the lock:
 * callbacks hand over to their own thread and must not throw.
 */
public final class ReplaySlots {
    private final int max;
    private final ArrayDeque<Ticket> waiting = new ArrayDeque<>(); // guarded by this
    private int taken; // guarded by this

    /**
     * @param max slots, at least 1
     */
    public ReplaySlots(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        this.max = max;
    }

    /**
     * Asks for a slot: {@code onGranted} runs once one is this ticket's, at once when one is free.
     * The holder must {@link Ticket#release} the ticket, granted or still waiting.
     */
    public Ticket acquire(Runnable onGranted) {
        Ticket ticket = new Ticket(Objects.requireNonNull(onGranted, "onGranted"));
        synchronized (this) {
            if (taken < max) {
                taken++;
                ticket.granted = true;
            } else {
                waiting.add(ticket);
                return ticket;
            }
        }
        onGranted.run();
        return ticket;
    }

    /** Slots taken now (replays with a fetch in flight). */
    public synchronized int taken() {
        return taken;
    }

    /** Replays waiting for a slot now. */
    public synchronized int waiting() {
        return waiting.size();
    }

    public int max() {
        return max;
    }

    /** One request for a slot. */
    public final class Ticket {
        private final Runnable onGranted;
        private boolean granted; // guarded by ReplaySlots.this
        private boolean released; // guarded by ReplaySlots.this

        private Ticket(Runnable onGranted) {
            this.onGranted = onGranted;
        }

        /**
         * Gives the slot back (to the longest-waiting ticket, if any), or stops waiting for one.
         * Idempotent.
         */
        public void release() {
            Ticket next;
            synchronized (ReplaySlots.this) {
                if (released) {
                    return;
                }
                released = true;
                if (!granted) {
                    waiting.remove(this);
                    return;
                }
                next = waiting.poll();
                if (next == null) {
                    taken--;
                    return;
                }
                next.granted = true;
            }
            next.onGranted.run();
        }
    }
}
