package io.pushbase.comet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A raw gopush-cluster TCP client over a real socket: subscribe, read replies and pushes. */
public final class TcpClient implements AutoCloseable {
    private final Socket socket;

    private TcpClient(Socket socket) {
        this.socket = socket;
    }

    /** Connects and sends {@code sub key 30 [token [version]]}. */
    public static TcpClient subscribe(int port, String key, String token, String version)
            throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        String request =
                version != null
                        ? Wire.request("sub", key, "30", token == null ? "" : token, version)
                        : token != null
                                ? Wire.request("sub", key, "30", token)
                                : Wire.request("sub", key, "30");
        socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return new TcpClient(socket);
    }

    /** Connects and sends {@code request} as it is (any RESP request). */
    public static TcpClient send(int port, String request) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return new TcpClient(socket);
    }

    /** Sends {@code text} (UTF-8) on the connection as it is: a heartbeat, a command. */
    public void write(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    public Socket socket() {
        return socket;
    }

    /** One reply line, CRLF included ({@code +h\r\n}, {@code -a\r\n}, ...); "" at EOF. */
    public String readLine() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n') {
                break;
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** Reads one pushed message, {@code $<len>\r\n<json>\r\n}; returns the JSON. */
    public String readPush() throws IOException {
        return readPushAfter(readLine());
    }

    /** Reads the rest of a pushed message whose {@code $<len>\r\n} line was read; the JSON. */
    public String readPushAfter(String header) throws IOException {
        assertThat(header).startsWith("$").endsWith("\r\n");
        int len = Integer.parseInt(header.substring(1, header.length() - 2));
        byte[] body = socket.getInputStream().readNBytes(len + 2);
        assertThat(new String(body, len, 2, StandardCharsets.US_ASCII)).isEqualTo("\r\n");
        return new String(body, 0, len, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
