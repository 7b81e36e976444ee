package io.pushbase.comet.replay;

import io.netty.channel.EventLoop;
import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.cluster.logging.MessageLogContext;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.schema.message.v1.FetchReply;
import io.pushbase.schema.message.v1.StoredMessage;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's replay: reads the key's stored messages after {@code since} page by page and
 * writes them to the connection, then hands over to live delivery ({@link
 * ResumingSubscriber#goLive}). Each page is read with a slot of the comet's {@link ReplaySlots},
 * released as soon as the page is answered. The next page is read only once the connection's
 * outbound queue has room for a whole page ({@link ChannelSubscriber#whenPendingAtMost}): a client
 * that reads slowly stops the paging instead of making the comet buffer the gap. Each stored
 * message goes out through {@link ResumingSubscriber#replay}, which merges the held live messages
 * in by mid. A page whose reply says no more messages follow ({@code FetchReply.more} false) is the
 * last, so a replay shorter than a page takes one fetch; from a message node that does not say, a
 * page shorter than the page size is the last. Once the last page is flushed, what is still held is
 * released and live delivery begins.
 *
 * <p>The completeness answer: every fetch asks for the key's low-water mark ({@code
 * FetchReply.floor}). The first page's answer writes {@code +r complete} ({@code since} at or above
 * the floor) or {@code +r truncated} (below it, or no floor) before its first message. A later page
 * whose floor is above the last mid written means messages not yet replayed were removed after
 * "complete" was said: the connection is closed ({@code comet.replay.truncatedLater}) and the
 * client, resuming again, is answered truncated.
 *
 * <p>Failure: a fetch that fails (no message node answered within the client's bound) closes the
 * connection with a log line naming the key, the mid reached and the cause, counted in {@code
 * comet.replay.failures}; the client reconnects and resumes from the largest mid it got. Nothing is
 * ever skipped. A connection that closes mid-replay ends it: no further fetch, its waiting ticket
 * withdrawn, its slot (if a fetch is in flight) given back when that fetch answers.
 *
 * <p>(Pushbase, issue 15) A resume from a device ({@link ResumingSubscriber#awaitsCursor}) first
 * reads the device's cursor ({@link DeviceCursors}), with a slot like a page, and then replays
 * exactly as a resume after that mid would (after 0, everything stored, when the device has none).
 * A cursor read that fails closes the connection as a failed fetch does, counted in {@code
 * comet.replay.cursorFailures} (and {@code comet.replay.failures}).
 *
 * <p>Threading: every step runs on the connection's event loop (fetch answers and slot grants are
 * handed over to it), so the state needs no lock.
 */
final class Replay {
    private static final Logger LOG = LoggerFactory.getLogger(Replay.class);

    private enum State {
        /** Waiting for a slot of the comet's bound. */
        WAITING_FOR_SLOT,
        /** A fetch is in flight (holding a slot). */
        FETCHING,
        /** A full page was written; waiting for room in the outbound queue for the next. */
        WRITING,
        /** The last page was written; waiting for it to be flushed before going live. */
        FLUSHING,
        /** Live, failed or closed. */
        DONE
    }

    private final ResumingSubscriber subscriber;
    private final ChannelSubscriber target;
    private final String key;
    private final EventLoop loop;
    private final MessageHistory history;
    private final DeviceCursors cursors;
    private final ReplaySlots slots;
    private final int pageSize;
    private final ReplayMetrics metrics;

    private State state = State.WAITING_FOR_SLOT;
    private ReplaySlots.Ticket ticket;
    private long last;
    private boolean answered;

    /**
     * @param pageSize messages per fetch, at most the connection's outbound bound
     */
    Replay(
            ResumingSubscriber subscriber,
            MessageHistory history,
            DeviceCursors cursors,
            ReplaySlots slots,
            int pageSize,
            ReplayMetrics metrics) {
        this.subscriber = subscriber;
        this.target = subscriber.target();
        this.key = subscriber.logName(); // the key, or (Pushbase) the room the view writes
        this.loop = target.eventLoop();
        this.history = history;
        this.cursors = cursors;
        this.slots = slots;
        this.pageSize = Math.min(pageSize, target.maxPending());
        this.metrics = metrics;
        this.last = subscriber.since();
    }

    /** Starts reading; event loop only, after the subscriber joined its key's channel. */
    void start() {
        metrics.started.mark();
        metrics.active.incrementAndGet();
        target.closeFuture().thenRun(() -> onLoop(this::closed));
        // The completeness answer goes out with the first page, before its first message: the
        // replay is the connection's only writer of messages until it goes live, so the frame
        // cannot be overtaken.
        requestSlot();
    }

    private void requestSlot() {
        if (state == State.DONE) {
            return;
        }
        if (!target.isOpen()) {
            finish();
            return;
        }
        state = State.WAITING_FOR_SLOT;
        ticket = slots.acquire(() -> onLoop(this::fetch));
    }

    private void fetch() {
        if (state != State.WAITING_FOR_SLOT) {
            // Closed while the grant was on its way: give the slot to the next replay.
            ticket.release();
            return;
        }
        state = State.FETCHING;
        if (subscriber.awaitsCursor()) {
            cursors.cursor(key, subscriber.device())
                    .whenComplete((cursor, failure) -> onLoop(() -> cursorRead(cursor, failure)));
            return;
        }
        history.after(key, last, pageSize)
                .whenComplete((page, failure) -> onLoop(() -> answered(page, failure)));
    }

    /** The device's cursor arrived: resume after it (0 without one), as a mid since would. */
    private void cursorRead(OptionalLong cursor, Throwable failure) {
        ticket.release();
        if (state != State.FETCHING) {
            return;
        }
        if (failure != null) {
            metrics.failures.mark();
            metrics.cursorFailures.mark();
            LOG.warn(
                    "Closing {} of key {}: its resume after device {}'s cursor could not read the"
                            + " cursor: {}",
                    target.remoteAddress(),
                    key,
                    subscriber.device(),
                    GrpcFutures.unwrap(failure).toString());
            abort();
            return;
        }
        if (cursor.isPresent()) {
            metrics.fromCursor.mark();
        } else {
            metrics.withoutCursor.mark();
        }
        last = cursor.orElse(0);
        subscriber.resumeFrom(last);
        requestSlot();
    }

    private void answered(FetchReply reply, Throwable failure) {
        ticket.release();
        if (state != State.FETCHING) {
            return;
        }
        if (failure != null) {
            fail(GrpcFutures.unwrap(failure).toString());
            return;
        }
        // Every stored message with mid <= floor may be gone (docs/STORE.md); a reply without a
        // floor (a message node older than it) says nothing, so it counts as "may be gone".
        boolean complete = reply.hasFloor() && last >= reply.getFloor();
        if (!answered) {
            answered = true;
            if (!complete) {
                metrics.truncated.mark();
            }
            subscriber.answer(complete);
        } else if (!complete) {
            // Messages this replay had not reached yet were removed meanwhile (trimmed by pushes
            // during a long replay): it can no longer say "complete". Close; the client resumes
            // from the largest mid it got and is answered "truncated".
            metrics.truncatedLater.mark();
            fail(
                    "messages after mid "
                            + last
                            + " may be gone (floor "
                            + (reply.hasFloor() ? reply.getFloor() : "unknown")
                            + ") after the answer complete");
            return;
        }
        List<StoredMessage> page = reply.getMessagesList();
        for (StoredMessage message : page) {
            long mid = message.getMid();
            if (mid <= last) {
                // Out of the Fetch contract (ascending, above `after`): never send a mid twice or
                // out of order.
                continue;
            }
            if (message.getPayload().isEmpty()) {
                fail("message node answered an empty payload at mid " + mid);
                return;
            }
            Subscriber.Delivery delivery =
                    subscriber.replay(mid, message.getPayload().toByteArray());
            if (delivery != Subscriber.Delivery.QUEUED) {
                finish(); // closed (or closing) under the replay
                return;
            }
            last = mid;
            metrics.messages.mark();
        }
        // A node that says whether more follow is believed (a full page that was the last needs no
        // empty one after it), except that an empty page ends the replay whatever it says (asking
        // again after the same mid could not get further); an older node's page is the last when
        // it is short.
        boolean last =
                reply.hasMore() ? !reply.getMore() || page.isEmpty() : page.size() < pageSize;
        if (last) {
            state = State.FLUSHING;
            // Released into an empty queue, the held messages (at most maxPending) always fit.
            target.whenPendingAtMost(0, this::goLive);
        } else {
            state = State.WRITING;
            target.whenPendingAtMost(target.maxPending() - pageSize, this::requestSlot);
        }
    }

    private void goLive() {
        if (state != State.FLUSHING) {
            return;
        }
        if (target.isOpen()) {
            subscriber.goLive();
            metrics.completed.mark();
        }
        finish();
    }

    private void fail(String cause) {
        metrics.failures.mark();
        try (MessageLogContext ignored = MessageLogContext.of(key, last)) {
            LOG.warn(
                    "Closing {} of key {}: its resume after mid {} could not read stored messages"
                            + " after mid {}: {}",
                    target.remoteAddress(),
                    key,
                    subscriber.since(),
                    last,
                    cause);
        }
        abort();
    }

    /** Ends the replay and closes its connection; the client reconnects and resumes. */
    private void abort() {
        finish();
        target.close();
    }

    /** The connection closed: stop, and withdraw a ticket that waits for a slot. */
    private void closed() {
        if (state == State.WAITING_FOR_SLOT && ticket != null) {
            ticket.release();
        }
        // A fetch in flight releases its slot when it answers.
        finish();
    }

    private void finish() {
        if (state != State.DONE) {
            state = State.DONE;
            metrics.active.decrementAndGet();
        }
    }

    /** Runs {@code step} on the connection's event loop (grants and answers come from others). */
    private void onLoop(Runnable step) {
        try {
            loop.execute(step);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down with the comet: the connection is gone, so give
            // back what this replay holds rather than leave a slot taken.
            if (ticket != null) {
                ticket.release();
            }
        }
    }
}
