package io.pushbase.comet.subscription;

import java.net.SocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * One live subscribed connection (TCP or WebSocket), as the push pipeline sees it: it delivers
 * messages to it and closes it. Messages are framed for the connection's transport and rendered in
 * the client's {@link Subscription#messageFormat() message format}.
 *
 * <p><b>Bounded:</b> each subscriber has an outbound queue of at most a fixed number of messages
 * written but not yet handed to the socket (default 120, gopush-cluster's {@code msgbuf.num}). A
 * delivery that would exceed it closes the connection and is counted as a slow consumer; it is
 * never dropped silently and the queue never grows past the bound. The client then reconnects and
 * pulls what it missed (docs/PROTOCOL.md section 3).
 *
 * <p><b>Threading:</b> every method may be called from any thread. Messages delivered from one
 * thread reach the client in the order of the calls; the push pipeline delivers one key's messages
 * in mid order from one thread at a time.
 */
public interface Subscriber {

    /** What became of one {@link #deliver} call. */
    enum Delivery {
        /** Queued for writing; the client gets it unless the connection fails first. */
        QUEUED,
        /** Not delivered: the connection was already closed or closing. */
        CLOSED,
        /** Not delivered: the outbound queue was full, so the connection is now being closed. */
        OVERFLOW
    }

    /** The subscription this connection made. */
    Subscription subscription();

    /** The client's address, for logs. */
    SocketAddress remoteAddress();

    /**
     * Writes one message to the client.
     *
     * @param mid the message id
     * @param payload the pushed message, valid non-empty JSON exactly as pushed (UTF-8); not
     *     copied, so the caller must not modify it afterwards (it may be shared by every subscriber
     *     of a key)
     * @throws IllegalArgumentException if the payload is empty
     */
    Delivery deliver(long mid, byte[] payload);

    /**
     * Closes the connection without a reply (e.g. the key moved to another comet, or its messages
     * were deleted). Idempotent.
     */
    void close();

    /** Whether the connection is still open (a snapshot: it may close right after). */
    boolean isOpen();

    /** Completes, never exceptionally, once the connection is closed, whatever closed it. */
    CompletionStage<Void> closeFuture();
}
