package io.pushbase.web.server;

import com.codahale.metrics.Meter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.CyclicTimeout;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's HTTP/1.1 connection factory whose connections must receive each request's headers within
 * a deadline: {@code timeoutMillis} from the accept for the first request, from the first byte of a
 * later one (a kept-alive connection waiting for its next request is the idle timeout's business).
 * A connection that misses it is closed without an answer and counted. Jetty's own idle timeout
 * restarts with every byte received, so it cannot bound a request trickled a byte at a time; this
 * is the total deadline it lacks.
 *
 * <p>Each connection keeps the time its current request's headers started (0 when none is being
 * received), written by the thread that parses (Jetty runs {@code onFillable} and the parser's
 * callbacks one at a time per connection), and one {@link CyclicTimeout} on the connector's
 * scheduler that checks it. Thread-safe; the connections are owned by their connector.
 */
final class HeaderDeadlineConnectionFactory extends HttpConnectionFactory {
    private static final Logger LOG =
            LoggerFactory.getLogger(HeaderDeadlineConnectionFactory.class);

    private final long timeoutNanos;
    private final Meter timeouts;

    HeaderDeadlineConnectionFactory(
            HttpConfiguration configuration, long timeoutMillis, Meter timeouts) {
        super(configuration);
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + timeoutMillis);
        }
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.timeouts = timeouts;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        // As HttpConnectionFactory.newConnection does, with the deadline connection.
        HttpConnection connection =
                new DeadlineConnection(getHttpConfiguration(), connector, endPoint);
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(connection, connector, endPoint);
    }

    private final class DeadlineConnection extends HttpConnection {
        private final CyclicTimeout deadline;

        /** System.nanoTime() when the current request's headers started; 0 when none is due. */
        private volatile long headersSince;

        DeadlineConnection(
                HttpConfiguration configuration, Connector connector, EndPoint endPoint) {
            super(configuration, connector, endPoint);
            this.deadline =
                    new CyclicTimeout(connector.getScheduler()) {
                        @Override
                        public void onTimeoutExpired() {
                            check();
                        }
                    };
        }

        @Override
        public void onOpen() {
            start();
            super.onOpen();
        }

        @Override
        public void onFillable() {
            // Bytes of a request whose headers are not complete yet: the clock runs from now
            // unless it already does (a connection's first request, or an earlier read).
            if (headersSince == 0 && getParser().inHeaderState()) {
                start();
            }
            super.onFillable();
        }

        @Override
        protected RequestHandler newRequestHandler() {
            return new RequestHandler() {
                @Override
                public boolean headerComplete() {
                    headersSince = 0;
                    return super.headerComplete();
                }
            };
        }

        @Override
        public void onClose(Throwable cause) {
            headersSince = 0;
            deadline.destroy();
            super.onClose(cause);
        }

        private void start() {
            long now = System.nanoTime();
            headersSince = now == 0 ? 1 : now;
            deadline.schedule(timeoutNanos, TimeUnit.NANOSECONDS);
        }

        /** On the scheduler: close if the headers are still due, or wait for the rest. */
        private void check() {
            long since = headersSince;
            if (since == 0 || !getEndPoint().isOpen()) {
                return;
            }
            long left = timeoutNanos - (System.nanoTime() - since);
            if (left > 0) {
                // Completed and restarted since this was scheduled.
                deadline.schedule(left, TimeUnit.NANOSECONDS);
                return;
            }
            timeouts.mark();
            LOG.debug("Closing {}: request headers not complete within the deadline", this);
            getEndPoint().close(new TimeoutException("request headers not complete in time"));
        }
    }
}
