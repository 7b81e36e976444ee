package io.pushbase.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Hostile and broken clients on one port, over raw sockets (docs/DESIGN.md invariant 6): each
 * attempt sends its bytes and then reads until the node answers and closes, resets, or the patience
 * runs out. The node must give that one connection an error reply or a close, each kind of bad
 * input within the bound {@link Expect} names; {@link Outcome#asExpected()} says whether it did.
 */
final class BadInput {
    private static final byte[] SUB =
            "*3\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$2\r\n30\r\n"
                    .getBytes(StandardCharsets.US_ASCII);

    private BadInput() {}

    /** What the node must do with a bad connection. */
    enum Expect {
        /** Answer and/or close within 10 s. */
        CLOSE,
        /** Close it when the first-packet timeout passes (not before, not much after). */
        CLOSE_AT_FIRST_PACKET_TIMEOUT,
        /** Nothing: silence is not an error on this port (it may wait for the rest). */
        ANYTHING
    }

    /** What the node did with one bad connection. */
    record Outcome(
            String port,
            String what,
            Expect expected,
            String ended,
            int repliedBytes,
            Duration after,
            Duration firstRequestTimeout) {
        /** Whether the node did what it must. */
        boolean asExpected() {
            boolean closed = ended.startsWith("closed") || ended.equals("reset");
            return switch (expected) {
                case CLOSE -> closed;
                case CLOSE_AT_FIRST_PACKET_TIMEOUT ->
                        closed
                                && after.compareTo(firstRequestTimeout) >= 0
                                && after.compareTo(firstRequestTimeout.plusSeconds(3)) <= 0;
                case ANYTHING -> true;
            };
        }

        @Override
        public String toString() {
            return String.format(
                    "%s %s: %s after %d ms (%d bytes of reply)",
                    port, what, ended, after.toMillis(), repliedBytes);
        }
    }

    /**
     * A connection's bytes, sent in pieces, then silence. With {@code conversation}, each piece but
     * the last waits for the node's answer to the one before (a WebSocket client must wait for the
     * handshake's answer before it sends a frame, RFC 6455 section 4.1).
     */
    private record Attempt(String what, List<byte[]> pieces, Expect expect, boolean conversation) {
        Attempt(String what, Expect expect, byte[]... pieces) {
            this(what, List.of(pieces), expect, false);
        }

        /** How long to wait for the node's close. */
        Duration patience(Duration firstRequestTimeout) {
            return switch (expect) {
                case CLOSE -> Duration.ofSeconds(10);
                case CLOSE_AT_FIRST_PACKET_TIMEOUT -> firstRequestTimeout.plusSeconds(5);
                case ANYTHING -> Duration.ZERO;
            };
        }
    }

    /**
     * The attempts for a port of {@code kind}: {@code resp} (comet TCP), {@code ws} (comet
     * WebSocket), {@code http} (Jetty: web and admin ports), {@code grpc} (HTTP/2).
     */
    private static List<Attempt> attempts(String kind, Random random) {
        Expect close = Expect.CLOSE;
        Expect timeout = Expect.CLOSE_AT_FIRST_PACKET_TIMEOUT;
        List<Attempt> list = new ArrayList<>();
        list.add(new Attempt("random bytes", close, randomBytes(random, 4096)));
        list.add(new Attempt("16 KiB header line", close, hugeHeaderRequest(16 * 1024)));
        list.add(new Attempt("1 MiB of headers", close, hugeHeaderRequest(1024 * 1024)));
        switch (kind) {
            case "resp" -> {
                list.add(new Attempt("silent client", timeout));
                list.add(
                        new Attempt(
                                "truncated sub frame",
                                timeout,
                                ascii("*3\r\n$3\r\nsub\r\n$9\r\nTerr")));
                list.add(
                        new Attempt(
                                "one byte at a time, never complete",
                                timeout,
                                ascii("*"),
                                ascii("3"),
                                ascii("\r")));
                list.add(
                        new Attempt(
                                "bulk length 999999999", close, ascii("*3\r\n$999999999\r\nsub")));
                list.add(new Attempt("argc 99", close, ascii("*99\r\n")));
                list.add(new Attempt("no CR", close, ascii("*3\n$3\nsub\n")));
                list.add(
                        new Attempt(
                                "sub, then a byte that is not a heartbeat",
                                List.of(SUB, ascii("x")),
                                close,
                                true));
            }
            case "ws" -> {
                list.add(new Attempt("silent client", timeout));
                list.add(
                        new Attempt(
                                "truncated upgrade request",
                                timeout,
                                ascii("GET /sub?key=x&heartbeat=30 HTTP/1.1\r\nHost: a\r\n")));
                list.add(
                        new Attempt(
                                "upgrade with a body",
                                close,
                                ascii(
                                        "GET /sub?key=x&heartbeat=30 HTTP/1.1\r\nHost: a\r\n"
                                                + "Content-Length: 100000\r\n\r\n"),
                                randomBytes(random, 1000)));
                // A text frame, masked, whose 64-bit length says 2^62 bytes.
                byte[] huge = {(byte) 0x81, (byte) 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
                list.add(
                        new Attempt(
                                "upgrade, then a frame claiming 2^62 bytes",
                                List.of(upgrade(), huge),
                                close,
                                true));
                list.add(
                        new Attempt(
                                "upgrade, then random bytes",
                                List.of(upgrade(), randomBytes(random, 2048)),
                                close,
                                true));
            }
            case "http" -> {
                list.add(
                        new Attempt(
                                "truncated request line",
                                Expect.ANYTHING,
                                ascii("GET /1/time/get HTT")));
                list.add(
                        new Attempt(
                                "POST with a lying Content-Length",
                                Expect.ANYTHING,
                                ascii(
                                        "POST /1/admin/push/private?key=bad&expire=600"
                                                + " HTTP/1.1\r\nHost: a\r\n"
                                                + "Content-Length: 1000\r\n\r\n{\"a\":")));
                list.add(
                        new Attempt(
                                "a request line of 100 KiB",
                                close,
                                ascii("GET /" + "a".repeat(100 * 1024) + " HTTP/1.1\r\n\r\n")));
            }
            case "grpc" -> {
                list.add(
                        new Attempt(
                                "truncated HTTP/2 preface",
                                Expect.ANYTHING,
                                ascii("PRI * HTTP/2.0\r\n\r\nSM")));
                list.add(
                        new Attempt(
                                "HTTP/2 preface, then random frames",
                                close,
                                ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
                                randomBytes(random, 4096)));
            }
            default -> throw new IllegalArgumentException(kind);
        }
        return list;
    }

    /**
     * The attempts for a port of {@code kind} on {@code port}, each a task for its own thread (an
     * attempt with no patience, where silence is not an error on that port, is left after its
     * bytes).
     */
    static List<Callable<Outcome>> attempts(
            String label, String kind, int port, Duration firstRequestTimeout, long seed) {
        List<Callable<Outcome>> tasks = new ArrayList<>();
        for (Attempt attempt : attempts(kind, new Random(seed))) {
            tasks.add(() -> run(label, port, attempt, firstRequestTimeout));
        }
        return tasks;
    }

    private static Outcome run(
            String label, int port, Attempt attempt, Duration firstRequestTimeout)
            throws IOException {
        Duration patience = attempt.patience(firstRequestTimeout);
        long start = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(250);
            // A write has no timeout: a node that stops reading without closing would block it.
            Thread watchdog =
                    new Thread(
                            () -> {
                                try {
                                    Thread.sleep(patience.toMillis() + 20_000);
                                    socket.close();
                                } catch (InterruptedException | IOException done) {
                                    // finished in time
                                }
                            },
                            "bad-input-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            int replied = 0;
            String ended = null;
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                List<byte[]> pieces = attempt.pieces();
                for (int i = 0; i < pieces.size(); i++) {
                    socket.getOutputStream().write(pieces.get(i));
                    socket.getOutputStream().flush();
                    if (attempt.conversation() && i < pieces.size() - 1) {
                        replied += awaitAnswer(in, buffer);
                    }
                }
            } catch (IOException e) {
                ended = socket.isClosed() ? "still open" : "closed while sending";
            }
            long deadline = start + patience.toNanos();
            while (ended == null) {
                try {
                    int n = in.read(buffer);
                    if (n < 0) {
                        ended = "closed";
                    } else {
                        replied += n;
                    }
                } catch (SocketTimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        ended =
                                patience.isZero()
                                        ? (replied > 0 ? "answered, left open" : "left open")
                                        : "still open";
                    }
                } catch (IOException e) {
                    ended = "reset";
                }
            }
            watchdog.interrupt();
            return new Outcome(
                    label + ":" + port,
                    attempt.what(),
                    attempt.expect(),
                    ended,
                    replied,
                    Duration.ofNanos(System.nanoTime() - start),
                    firstRequestTimeout);
        }
    }

    /** Reads the node's first answer (up to 5 s); its length. */
    private static int awaitAnswer(InputStream in, byte[] buffer) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    throw new IOException("closed before the next piece");
                }
                return n;
            } catch (SocketTimeoutException e) {
                // wait on
            }
        }
        return 0;
    }

    private static byte[] upgrade() {
        return ascii(
                "GET /sub?key=bad-input&heartbeat=30&ver=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n");
    }

    private static byte[] hugeHeaderRequest(int headerBytes) {
        StringBuilder sb = new StringBuilder("GET /1/time/get HTTP/1.1\r\nHost: a\r\n");
        int line = Math.min(headerBytes, 16 * 1024);
        for (int written = 0, i = 0; written < headerBytes; written += line, i++) {
            sb.append("X-Big-").append(i).append(": ").append("b".repeat(line)).append("\r\n");
        }
        return ascii(sb.append("\r\n").toString());
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
