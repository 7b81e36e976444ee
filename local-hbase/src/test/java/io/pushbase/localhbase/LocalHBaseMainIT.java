package io.pushbase.localhbase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.util.Bytes;
import org.apache.hadoop.hbase.util.VersionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalHBaseMain} as the standalone launcher runs it: a child JVM started from the module's
 * runtime class path. This test's own JVM holds only the shaded 2.6.3 client the message node uses
 * (see the failsafe configuration), so every call below crosses the wire as a message node's would.
 */
class LocalHBaseMainIT {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);
    private static final TableName TABLE = TableName.valueOf("it_local");
    private static final byte[] FAMILY = Bytes.toBytes("f");
    private static final byte[] QUALIFIER = Bytes.toBytes("q");

    @TempDir Path tmp;

    @Test
    void thisTestTalksThroughTheMessageNodesClientOnly() {
        assertThat(VersionInfo.getVersion()).isEqualTo("2.6.3-hadoop3");
        assertThatThrownBy(() -> Class.forName("org.apache.hadoop.hbase.master.HMaster"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void dataSurvivesAStopOnStdinEndAndAStopOnSigterm() throws Exception {
        Path data = tmp.resolve("data");
        int port = freePort();

        try (LocalHBaseProcess hbase = LocalHBaseProcess.start(data, port, "cold-start")) {
            String quorum = hbase.awaitReady(READY_TIMEOUT);
            assertThat(quorum).isEqualTo("127.0.0.1:" + port);
            report("cold start", hbase);
            try (Connection connection = connect(quorum)) {
                try (Admin admin = connection.getAdmin()) {
                    admin.createTable(
                            TableDescriptorBuilder.newBuilder(TABLE)
                                    .setColumnFamily(ColumnFamilyDescriptorBuilder.of(FAMILY))
                                    .build());
                }
                put(connection, "row-1", "before the stdin stop");
            }
            hbase.closeStdin();
            assertThat(hbase.awaitExit(EXIT_TIMEOUT)).as("exit code").isZero();
            assertThat(hbase.otherStdout()).as("stdout after READY").isEmpty();
        }
        assertThat(storeFiles(data)).as("memstore flushed on a clean stop").isEqualTo(1);

        try (LocalHBaseProcess hbase = LocalHBaseProcess.start(data, port, "restart-1")) {
            String quorum = hbase.awaitReady(READY_TIMEOUT);
            report("restart", hbase);
            try (Connection connection = connect(quorum)) {
                assertThat(get(connection, "row-1")).isEqualTo("before the stdin stop");
                put(connection, "row-2", "before the sigterm stop");
            }
            assertSecondProcessIsRefused(data);
            hbase.terminate();
            assertThat(hbase.awaitExit(EXIT_TIMEOUT)).as("exit code after SIGTERM").isZero();
            assertThat(hbase.logText()).contains("Stopping (SIGTERM)");
        }
        assertThat(storeFiles(data)).as("memstore flushed on SIGTERM").isEqualTo(2);

        try (LocalHBaseProcess hbase = LocalHBaseProcess.start(data, port, "restart-2")) {
            String quorum = hbase.awaitReady(READY_TIMEOUT);
            report("second restart", hbase);
            try (Connection connection = connect(quorum)) {
                assertThat(get(connection, "row-1")).isEqualTo("before the stdin stop");
                assertThat(get(connection, "row-2")).isEqualTo("before the sigterm stop");
            }
            hbase.closeStdin();
            assertThat(hbase.awaitExit(EXIT_TIMEOUT)).as("exit code").isZero();
        }
    }

    @Test
    void failsFastWhenTheZooKeeperPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                LocalHBaseProcess hbase =
                        LocalHBaseProcess.start(
                                tmp.resolve("data"), taken.getLocalPort(), "port-taken")) {
            assertThat(hbase.awaitExit(Duration.ofSeconds(30)))
                    .isEqualTo(LocalHBaseMain.EXIT_START_FAILED);
            assertThat(hbase.otherStdout()).as("no READY").isEmpty();
            assertThat(hbase.logText())
                    .contains(
                            "ZooKeeper cannot listen on 127.0.0.1:" + taken.getLocalPort(),
                            "the port is in use");
        }
    }

    /** A second process on a directory in use exits at once and leaves the first one serving. */
    private static void assertSecondProcessIsRefused(Path data) throws Exception {
        try (LocalHBaseProcess second = LocalHBaseProcess.start(data, freePort(), "same-dir")) {
            assertThat(second.awaitExit(Duration.ofSeconds(30)))
                    .isEqualTo(LocalHBaseMain.EXIT_START_FAILED);
            assertThat(second.logText()).contains("is in use by another local HBase");
        }
    }

    private static Connection connect(String quorum) throws IOException {
        Configuration conf = HBaseConfiguration.create();
        conf.set("hbase.zookeeper.quorum", quorum);
        return ConnectionFactory.createConnection(conf);
    }

    private static void put(Connection connection, String row, String value) throws IOException {
        try (Table table = connection.getTable(TABLE)) {
            table.put(
                    new Put(Bytes.toBytes(row)).addColumn(FAMILY, QUALIFIER, Bytes.toBytes(value)));
        }
    }

    private static String get(Connection connection, String row) throws IOException {
        try (Table table = connection.getTable(TABLE)) {
            Result result = table.get(new Get(Bytes.toBytes(row)));
            byte[] value = result.getValue(FAMILY, QUALIFIER);
            return value == null ? null : Bytes.toString(value);
        }
    }

    /** HFiles of the test table's family: one more per clean stop that had unflushed edits. */
    private static long storeFiles(Path data) throws IOException {
        Path tableDir = data.resolve("hbase/data/default").resolve(TABLE.getQualifierAsString());
        try (Stream<Path> files = Files.walk(tableDir)) {
            return files.filter(
                            p ->
                                    Files.isRegularFile(p)
                                            && p.getParent()
                                                    .getFileName()
                                                    .toString()
                                                    .equals(Bytes.toString(FAMILY))
                                            && !p.getFileName().toString().startsWith("."))
                    .count();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void report(String what, LocalHBaseProcess hbase) throws IOException {
        System.out.printf(
                "local HBase %s: READY after %d ms, RSS %d MB%n",
                what, hbase.readyMillis(), hbase.rssKb() / 1024);
    }
}
