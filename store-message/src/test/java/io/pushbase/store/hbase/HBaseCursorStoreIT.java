package io.pushbase.store.hbase;

import static io.pushbase.schema.hbase.MessageTableLayout.FAMILY;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.schema.hbase.MessageTableLayout;
import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.MessageStore;
import io.pushbase.store.cursor.Ack;
import io.pushbase.store.cursor.CursorStore;
import io.pushbase.store.cursor.CursorStoreContract;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MiniHBase.class)
class HBaseCursorStoreIT extends CursorStoreContract {
    private static HBaseClient client;
    private static MessageStore messages;
    private static CursorStore cursors;
    private static CursorStore shortLived;
    private static final MessageTableLayout LAYOUT =
            new MessageTableLayout("pushbase", "cursor_it", (int) RETENTION);

    @BeforeAll
    static void connect(MiniHBase mini) throws Exception {
        client = LogStoreFixture.newClient(mini, LAYOUT);
        client.start();
        KeyTrimmer trimmer =
                new KeyTrimmer(
                        client::table,
                        RowKeys.standard(),
                        20,
                        RETENTION,
                        5,
                        16,
                        10_000,
                        new MetricRegistry());
        messages =
                new HBaseMessageStore(
                        client::table, STORE_LIMITS, RowKeys.standard(), trimmer, 10_000);
        cursors = new HBaseCursorStore(client::table, RowKeys.standard(), LIMITS, 10_000);
        shortLived = new HBaseCursorStore(client::table, RowKeys.standard(), SHORT_LIVED, 10_000);
    }

    @AfterAll
    static void disconnect() throws Exception {
        client.stop();
    }

    @Override
    protected CursorStore cursors() {
        return cursors;
    }

    @Override
    protected CursorStore shortLivedCursors() {
        return shortLived;
    }

    @Override
    protected MessageStore messages() {
        return messages;
    }

    @Test
    void aCursorIsOneCellOnTheKeysHeadRow() throws Exception {
        String key = "cursor-cell-" + System.nanoTime();
        headAt(messages, key, 42);
        cursors.ackMany(List.of(new Ack(key, "phone-1", 42))).get(30, TimeUnit.SECONDS);
        byte[] headRow = RowKeys.row(RowKeys.standard().prefix(key), 0);
        Result row =
                client.table()
                        .get(
                                new Get(headRow)
                                        .addColumn(FAMILY, MessageTableLayout.cursor("phone-1")))
                        .get(30, TimeUnit.SECONDS);
        assertThat(Bytes.toLong(row.getValue(FAMILY, Bytes.toBytes("aphone-1")))).isEqualTo(42);
    }
}
