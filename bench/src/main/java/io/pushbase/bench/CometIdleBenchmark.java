package io.pushbase.bench;

import io.pushbase.launcher.nodes.LoopbackPorts;
import io.pushbase.launcher.nodes.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.Namespace;
import org.apache.curator.test.TestingServer;

/**
 * Idle-connection footprint of a comet: a ZooKeeper ({@link TestingServer}) in this JVM, the comet
 * as it ships ({@code CometApplication server gateway-comet/comet.yml}) in a child JVM, and N idle
 * subscribed connections opened from this JVM with non-blocking NIO. The comet's heap (used after a
 * forced full GC, {@code jcmd GC.run} then {@code GC.heap_info}) and RSS ({@code
 * /proc/<pid>/status} VmRSS) are read before and after; the difference divided by the connections
 * established is the cost of one idle connection. One fresh comet per protocol.
 *
 * <pre>
 * bench/run-comet-idle-bench [--connections N] [--protocol tcp|ws|both]
 * </pre>
 *
 * <p>Results (a Markdown table and the machine) go to stdout, progress to stderr.
 */
public final class CometIdleBenchmark {
    private static final String DEFAULT_COMET_JVM = "-Xmx1g";

    /** Heartbeat asked by every client: the comet closes after heartbeat + 5 s of silence. */
    private static final int HEARTBEAT_SECONDS = 300;

    /** Connections being opened at once (the listeners' backlog is 1024). */
    private static final int MAX_IN_FLIGHT = 256;

    private static final Duration OPEN_DEADLINE = Duration.ofSeconds(180);
    private static final Duration READY_DEADLINE = Duration.ofSeconds(90);
    private static final byte[] HEARTBEAT_REPLY = "+h\r\n".getBytes(StandardCharsets.US_ASCII);

    private final int connections;
    private final List<String> protocols;
    private final List<String> cometJvmFlags;
    private final Path repoRoot = Path.of("").toAbsolutePath();

    private CometIdleBenchmark(int connections, List<String> protocols, List<String> cometJvm) {
        this.connections = connections;
        this.protocols = protocols;
        this.cometJvmFlags = cometJvm;
    }

    /** One row of the result table. */
    private record Row(
            String protocol,
            int requested,
            int established,
            int failures,
            int closedByComet,
            long cometReported,
            long heapBefore,
            long heapAfter,
            long rssBefore,
            long rssAfter,
            long openMillis) {}

    public static void main(String[] args) {
        CometIdleBenchmark bench = BenchMain.optionsOrExit(args, CometIdleBenchmark::parse);
        BenchMain.runAndExit(bench::run);
    }

    private static CometIdleBenchmark parse(String[] args) throws ArgumentParserException {
        Namespace flags =
                BenchArguments.of(
                                "bench/run-comet-idle-bench",
                                "Idle-connection footprint of a comet: heap and RSS per idle"
                                        + " subscribed connection, one fresh comet per protocol.",
                                "--comet-jvm takes the flags as one argument: --comet-jvm"
                                        + " \"-Xms32m -Xmx1g\" or, for one flag,"
                                        + " --comet-jvm=-Xmx1g.")
                        .option(
                                "connections",
                                BenchArguments.number(1),
                                "15000",
                                "N",
                                "idle connections per run")
                        .option(
                                "protocol",
                                BenchArguments.subset(List.of("tcp", "ws", "both")),
                                "both",
                                "P",
                                "tcp, ws, or both = two separate runs")
                        .option(
                                "comet-jvm",
                                (parser, argument, value) -> value,
                                DEFAULT_COMET_JVM,
                                "FLAGS",
                                "the comet's JVM flags, space-separated")
                        .parse(args);
        List<String> protocol = flags.getList("protocol");
        List<String> protocols =
                protocol.contains("both") || protocol.size() == 2 ? List.of("tcp", "ws") : protocol;
        String cometJvm = flags.getString("comet_jvm");
        return new CometIdleBenchmark(
                flags.getInt("connections"), protocols, List.of(cometJvm.trim().split("\\s+")));
    }

    private void run() throws Exception {
        progress(
                "Comet idle-connection benchmark: %d connections per run, protocols %s",
                connections, protocols);
        List<Row> rows = new ArrayList<>();
        String cometFlags = "";
        try (TestingServer zk = new TestingServer(true)) {
            progress("ZooKeeper TestingServer at %s", zk.getConnectString());
            for (String protocol : protocols) {
                Comet comet = Comet.start(this, protocol, zk.getConnectString());
                try {
                    cometFlags = comet.vmFlags();
                    rows.add(measure(comet, protocol));
                } finally {
                    comet.stop();
                }
            }
        }
        printResults(rows, cometFlags);
    }

    private Row measure(Comet comet, String protocol) throws Exception {
        comet.awaitLeader(READY_DEADLINE);
        progress("%s: comet pid %d is leader and answers sub", protocol, comet.pid());
        Thread.sleep(2_000);
        long heapBefore = comet.heapUsedAfterGc();
        long rssBefore = comet.rssBytes();
        progress("%s: baseline heap %s, RSS %s", protocol, kib(heapBefore), kib(rssBefore));

        int port = protocol.equals("tcp") ? comet.tcpPort : comet.wsPort;
        long started = System.nanoTime();
        try (Opener opener = new Opener(protocol, port, connections)) {
            opener.openAll(OPEN_DEADLINE);
            long openMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            progress(
                    "%s: %d established, %d failed in %d ms%s",
                    protocol,
                    opener.established,
                    opener.failures,
                    openMillis,
                    opener.firstError == null ? "" : " (first failure: " + opener.firstError + ")");
            Thread.sleep(2_000);
            long heapAfter = comet.heapUsedAfterGc();
            long rssAfter = comet.rssBytes();
            long reported = comet.reportedConnections(protocol);
            int closed = opener.closedByPeer();
            progress(
                    "%s: after heap %s, RSS %s; comet reports %d connections, %d closed by the"
                            + " comet before the end",
                    protocol, kib(heapAfter), kib(rssAfter), reported, closed);
            return new Row(
                    protocol,
                    connections,
                    opener.established,
                    opener.failures,
                    closed,
                    reported,
                    heapBefore,
                    heapAfter,
                    rssBefore,
                    rssAfter,
                    openMillis);
        }
    }

    private void printResults(List<Row> rows, String cometFlags) {
        StringBuilder out = new StringBuilder();
        out.append("\n## Comet idle connections\n\n");
        out.append(
                "| protocol | connections (established / asked) | heap delta total | heap per"
                        + " connection | RSS delta total | RSS per connection | failures |"
                        + " closed by comet before measured | comet /stat count | time to open"
                        + " |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            long heap = r.heapAfter() - r.heapBefore();
            long rss = r.rssAfter() - r.rssBefore();
            int n = Math.max(1, r.established());
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d / %d | %,d B (%s -> %s) | %,d B | %,d B (%s -> %s) | %,d B |"
                                    + " %d | %d | %d | %.1f s |\n",
                            r.protocol(),
                            r.established(),
                            r.requested(),
                            heap,
                            kib(r.heapBefore()),
                            kib(r.heapAfter()),
                            heap / n,
                            rss,
                            kib(r.rssBefore()),
                            kib(r.rssAfter()),
                            rss / n,
                            r.failures(),
                            r.closedByComet(),
                            r.cometReported(),
                            r.openMillis() / 1000.0));
        }
        out.append(
                "\nTarget: <= 3 KB (3,072 B) heap and <= 8 KB (8,192 B) RSS per idle connection."
                        + " Heap is G1 `used` after `jcmd GC.run` (full GC) before and after;"
                        + " RSS is VmRSS; per connection = delta / established connections.\n");
        out.append("\nMachine:\n\n");
        for (String line : MachineInfo.describe()) {
            out.append("- ").append(line).append('\n');
        }
        out.append("- Comet JVM: ")
                .append(String.join(" ", cometJvmFlags))
                .append("; VM.flags: `")
                .append(cometFlags)
                .append("`\n");
        out.append(
                "- Clients: one non-blocking NIO selector thread in the benchmark JVM on the same"
                        + " machine, loopback, heartbeat "
                        + HEARTBEAT_SECONDS
                        + " s, one distinct key per connection\n");
        System.out.print(out);
    }

    static void progress(String format, Object... args) {
        System.err.println("[idle-bench] " + String.format(Locale.ROOT, format, args));
    }

    private static String kib(long bytes) {
        return String.format(Locale.ROOT, "%,d KiB", bytes / 1024);
    }

    /** The TCP {@code sub} request for a key (old message format, no heartbeat needed). */
    static byte[] tcpSub(String key) {
        return TcpSubscribers.subCommand(key, HEARTBEAT_SECONDS, null);
    }

    /** The WebSocket upgrade request for a key. */
    static byte[] wsUpgrade(String key, int port) {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return ("GET /sub?key="
                        + key
                        + "&heartbeat="
                        + HEARTBEAT_SECONDS
                        + " HTTP/1.1\r\n"
                        + "Host: 127.0.0.1:"
                        + port
                        + "\r\n"
                        + "Upgrade: websocket\r\n"
                        + "Connection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: "
                        + Base64.getEncoder().encodeToString(nonce)
                        + "\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Whether {@code buf} (bytes 0..len) holds a complete successful reply: TCP {@code +h\r\n};
     * WebSocket a 101 response then the unmasked text frame {@code +h\r\n}. Returns 1 done, 0 need
     * more, -1 a wrong reply.
     */
    static int checkReply(String protocol, byte[] buf, int len) {
        if (protocol.equals("tcp")) {
            for (int i = 0; i < Math.min(len, HEARTBEAT_REPLY.length); i++) {
                if (buf[i] != HEARTBEAT_REPLY[i]) {
                    return -1;
                }
            }
            return len >= HEARTBEAT_REPLY.length ? 1 : 0;
        }
        String head = new String(buf, 0, len, StandardCharsets.ISO_8859_1);
        int end = head.indexOf("\r\n\r\n");
        if (end < 0) {
            return len >= buf.length ? -1 : 0;
        }
        if (!head.startsWith("HTTP/1.1 101")) {
            return -1;
        }
        int frame = end + 4;
        byte[] expected = new byte[2 + HEARTBEAT_REPLY.length];
        expected[0] = (byte) 0x81;
        expected[1] = (byte) HEARTBEAT_REPLY.length;
        System.arraycopy(HEARTBEAT_REPLY, 0, expected, 2, HEARTBEAT_REPLY.length);
        for (int i = 0; i < expected.length && frame + i < len; i++) {
            if (buf[frame + i] != expected[i]) {
                return -1;
            }
        }
        return len - frame >= expected.length ? 1 : 0;
    }

    /** Opens, holds and finally closes the idle connections, all on the calling thread. */
    private static final class Opener implements AutoCloseable {
        private final String protocol;
        private final int port;
        private final int total;
        private final Selector selector;
        private final List<SocketChannel> open = new ArrayList<>();
        private int started;
        private int inFlight;
        int established;
        int failures;
        String firstError;

        /** Handshake state of one connection, dropped once it is established. */
        private static final class Handshake {
            final ByteBuffer request;
            final byte[] reply = new byte[512];
            int replied;

            Handshake(byte[] request) {
                this.request = ByteBuffer.wrap(request);
            }
        }

        Opener(String protocol, int port, int total) throws IOException {
            this.protocol = protocol;
            this.port = port;
            this.total = total;
            this.selector = Selector.open();
        }

        void openAll(Duration deadline) throws IOException {
            long end = System.nanoTime() + deadline.toNanos();
            ByteBuffer scratch = ByteBuffer.allocate(512);
            while (established + failures < total) {
                while (inFlight < MAX_IN_FLIGHT && started < total) {
                    startOne();
                }
                if (System.nanoTime() > end) {
                    int left = total - established - failures;
                    fail(null, "open deadline of " + deadline.toSeconds() + " s passed");
                    failures += left - 1;
                    break;
                }
                selector.select(100);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    try {
                        step(key, scratch);
                    } catch (IOException e) {
                        fail(key, e.toString());
                    }
                }
            }
        }

        private void startOne() throws IOException {
            String key = String.format(Locale.ROOT, "idle-%s-%06d", protocol, started++);
            byte[] request = protocol.equals("tcp") ? tcpSub(key) : wsUpgrade(key, port);
            SocketChannel channel = SocketChannel.open();
            inFlight++;
            try {
                channel.configureBlocking(false);
                channel.connect(new InetSocketAddress("127.0.0.1", port));
                channel.register(selector, SelectionKey.OP_CONNECT, new Handshake(request));
            } catch (IOException e) {
                channel.close();
                inFlight--;
                failures++;
                if (firstError == null) {
                    firstError = e.toString();
                }
            }
        }

        private void step(SelectionKey key, ByteBuffer scratch) throws IOException {
            SocketChannel channel = (SocketChannel) key.channel();
            Handshake hs = (Handshake) key.attachment();
            if (key.isConnectable()) {
                channel.finishConnect();
                key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
            if (key.isWritable()) {
                channel.write(hs.request);
                if (!hs.request.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
                return;
            }
            if (key.isReadable()) {
                scratch.clear();
                int n = channel.read(scratch);
                if (n < 0) {
                    fail(key, "closed by the comet during the handshake");
                    return;
                }
                int room = Math.min(n, hs.reply.length - hs.replied);
                System.arraycopy(scratch.array(), 0, hs.reply, hs.replied, room);
                hs.replied += room;
                int state = checkReply(protocol, hs.reply, hs.replied);
                if (state < 0) {
                    fail(
                            key,
                            "unexpected reply: "
                                    + new String(hs.reply, 0, hs.replied, StandardCharsets.UTF_8)
                                            .replace("\r\n", "\\r\\n"));
                } else if (state > 0) {
                    key.attach(null);
                    inFlight--;
                    established++;
                    open.add(channel);
                }
            }
        }

        private void fail(SelectionKey key, String error) {
            if (firstError == null) {
                firstError = error;
            }
            failures++;
            if (key != null) {
                inFlight--;
                key.cancel();
                try {
                    key.channel().close();
                } catch (IOException e) {
                    // already failed
                }
            }
        }

        /** Connections the comet has closed (EOF or reset) since they were established. */
        int closedByPeer() throws IOException {
            selector.selectNow();
            selector.selectedKeys().clear();
            ByteBuffer scratch = ByteBuffer.allocate(64);
            int closed = 0;
            for (SocketChannel channel : open) {
                scratch.clear();
                try {
                    if (channel.read(scratch) < 0) {
                        closed++;
                    }
                } catch (IOException e) {
                    closed++;
                }
            }
            return closed;
        }

        @Override
        public void close() throws IOException {
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            for (SocketChannel channel : open) {
                channel.close();
            }
            selector.close();
        }
    }

    /**
     * The comet child JVM: started, measured and stopped through its {@link NodeProcess} handle.
     */
    private static final class Comet {
        private final NodeProcess jvm;
        final int tcpPort;
        final int wsPort;
        final int adminPort;

        private Comet(NodeProcess jvm, int tcpPort, int wsPort, int adminPort) {
            this.jvm = jvm;
            this.tcpPort = tcpPort;
            this.wsPort = wsPort;
            this.adminPort = adminPort;
        }

        static Comet start(CometIdleBenchmark bench, String protocol, String zk)
                throws IOException {
            LoopbackPorts ports = LoopbackPorts.free(Role.COMET);
            Path log = bench.repoRoot.resolve("bench/target/comet-idle-" + protocol + ".log");
            NodeProcess jvm =
                    NodeProcess.start(
                            "comet",
                            bench.repoRoot,
                            ports,
                            zk,
                            "comet-idle-bench",
                            bench.cometJvmFlags,
                            log);
            progress("%s: comet pid %d started (%s), log %s", protocol, jvm.pid(), ports, log);
            return new Comet(jvm, ports.port("tcp"), ports.port("ws"), ports.port("admin"));
        }

        long pid() {
            return jvm.pid();
        }

        /** Waits until a TCP {@code sub} is answered {@code +h}: the comet has become leader. */
        void awaitLeader(Duration deadline) throws IOException, InterruptedException {
            long end = System.nanoTime() + deadline.toNanos();
            String last = "no answer yet";
            for (int attempt = 0; System.nanoTime() < end; attempt++) {
                jvm.checkAlive();
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", tcpPort), 1_000);
                    socket.setSoTimeout(5_000);
                    OutputStream out = socket.getOutputStream();
                    out.write(tcpSub("idle-probe-" + attempt));
                    out.flush();
                    InputStream in = socket.getInputStream();
                    byte[] reply = in.readNBytes(4);
                    last = new String(reply, StandardCharsets.US_ASCII);
                    if (last.equals("+h\r\n")) {
                        return;
                    }
                } catch (IOException e) {
                    last = e.toString();
                }
                Thread.sleep(250);
            }
            throw new IOException(
                    "comet not ready after " + deadline + ": " + last + ", see " + jvm.log());
        }

        long heapUsedAfterGc() throws IOException, InterruptedException {
            jvm.jcmd("GC.run");
            String info = jvm.jcmd("GC.heap_info");
            Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
            if (!m.find()) {
                throw new IOException("no heap used in GC.heap_info: " + info);
            }
            return Long.parseLong(m.group(1)) * 1024;
        }

        long rssBytes() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            throw new IOException("no VmRSS for pid " + pid());
        }

        String vmFlags() throws IOException, InterruptedException {
            return jvm.vmFlags();
        }

        /** The comet's own count of open connections of the protocol ({@code /stat}). */
        long reportedConnections(String protocol) {
            return AdminNumbers.read(
                    adminPort,
                    "/stat?type=server",
                    Pattern.compile("\"" + protocol + "\"\\s*:\\s*(\\d+)"),
                    Duration.ofSeconds(10));
        }

        void stop() {
            jvm.stop();
        }
    }
}
