package io.pushbase.e2e.browser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP proxy on loopback, for a browser under test, that behaves as the proxies WebSocket
 * clients meet in corporate networks: plain HTTP requests pass, every WebSocket is refused. A
 * browser sends a {@code ws://} connection to an HTTP proxy as a {@code CONNECT} tunnel: each is
 * answered {@code 403} (as is any request asking to upgrade); any other request is forwarded to its
 * host, one request per connection ({@code Connection: close}), the answer streamed back as it
 * comes (so a Server-Sent Events stream flows).
 *
 * <p>One daemon thread accepts, one or two serve each connection; {@link #close()} stops accepting
 * and closes every socket. Thread-safe.
 */
public final class UpgradeRefusingProxy implements AutoCloseable {
    private static final int MAX_HEAD = 64 * 1024;

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private final List<String> passed = new CopyOnWriteArrayList<>();

    private UpgradeRefusingProxy(ServerSocket server) {
        this.server = server;
    }

    /** Listens on a free loopback port. */
    public static UpgradeRefusingProxy start() throws IOException {
        UpgradeRefusingProxy proxy =
                new UpgradeRefusingProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread accept = new Thread(proxy::accept, "upgrade-refusing-proxy");
        accept.setDaemon(true);
        accept.start();
        return proxy;
    }

    /** {@code 127.0.0.1:<port>}. */
    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** The request line of every request refused so far ({@code CONNECT host:port ...}). */
    public List<String> refused() {
        return List.copyOf(refused);
    }

    /** The request line of every request passed on so far. */
    public List<String> passed() {
        return List.copyOf(passed);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                start(() -> serve(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String requestLine = head.substring(0, head.indexOf("\r\n"));
            String[] parts = requestLine.split(" ");
            if (parts.length != 3
                    || parts[0].equals("CONNECT")
                    || head.toLowerCase(Locale.ROOT).contains("\r\nupgrade:")) {
                refused.add(requestLine);
                client.getOutputStream()
                        .write(
                                ("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
                                                + "Connection: close\r\n\r\n")
                                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            passed.add(requestLine);
            URI target = URI.create(parts[1]);
            try (Socket upstream = new Socket(target.getHost(), target.getPort())) {
                sockets.add(upstream);
                String originForm =
                        target.getRawPath()
                                + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
                StringBuilder forwarded =
                        new StringBuilder(parts[0] + " " + originForm + " " + parts[2] + "\r\n");
                for (String header : head.substring(head.indexOf("\r\n") + 2).split("\r\n")) {
                    String name = header.toLowerCase(Locale.ROOT);
                    if (!header.isEmpty()
                            && !name.startsWith("connection:")
                            && !name.startsWith("proxy-connection:")) {
                        forwarded.append(header).append("\r\n");
                    }
                }
                forwarded.append("Connection: close\r\n\r\n");
                OutputStream up = upstream.getOutputStream();
                up.write(forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
                up.flush();
                // A GET has no body; whatever else the client sends goes on as it is.
                start(
                        () -> {
                            copy(in, up);
                            closeQuietly(upstream); // the browser closed: so does the server side
                        });
                copy(upstream.getInputStream(), client.getOutputStream());
            }
        } catch (IOException e) {
            // the browser or the server went away: nothing to answer
        }
    }

    /** The request head (up to and including the empty line) as ISO-8859-1; null at EOF. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static void copy(InputStream from, OutputStream to) {
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = from.read(buffer)) >= 0; ) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // one side closed
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static void start(Runnable task) {
        Thread thread = new Thread(task, "upgrade-refusing-proxy-connection");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
