package io.pushbase.store.hbase;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.schema.hbase.MessageTableLayout;
import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.AppendResult;
import io.pushbase.store.LogSpace;
import io.pushbase.store.MessageStore;
import io.pushbase.store.RoomLogContract;
import io.pushbase.store.StoredMessage;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * (Pushbase, issue 14) The room-log contract on HBase ({@link LogSpace#ROOMS} over the message
 * table), and the separation of room logs from key logs in one table: a room and a key of the same
 * name are two logs, also when every name hashes to the same row prefix.
 */
@ExtendWith(MiniHBase.class)
class HBaseRoomLogIT extends RoomLogContract {
    private static final MessageTableLayout LAYOUT =
            new MessageTableLayout("pushbase", "room_it", (int) RETENTION);
    private static LogStoreFixture fixture;
    private static HBaseClient client;
    private static MessageStore store;

    @BeforeAll
    static void connect(MiniHBase cluster) throws Exception {
        fixture = new LogStoreFixture(cluster, LAYOUT, LIMITS, TRIM_EVERY, LogSpace.ROOMS);
        client = fixture.client;
        store = fixture.store;
    }

    private static KeyTrimmer trimmer(RowKeys rowKeys, LogSpace space) {
        return fixture.trimmer(rowKeys, space);
    }

    @AfterAll
    static void disconnect() throws Exception {
        fixture.stop();
    }

    @Override
    protected MessageStore store() {
        return store;
    }

    @Override
    protected int heldRows(String room) throws Exception {
        return fixture.heldRows(RowKeys.roomLog(room));
    }

    @Override
    protected void awaitTrims() throws Exception {
        fixture.awaitTrims();
    }

    @Override
    protected void flush() throws Exception {
        fixture.flush();
    }

    @Override
    protected List<String> twoKeysInOneBucket() {
        return twoRoomsInOneBucket(RowKeys.standard(), key("bucket"));
    }

    @Test
    void aRoomAndAKeyOfTheSameNameAreTwoLogsWithTheirOwnHeads() throws Exception {
        MessageStore keys =
                new HBaseMessageStore(
                        client::table,
                        LIMITS,
                        RowKeys.standard(),
                        trimmer(RowKeys.standard(), LogSpace.KEYS),
                        10_000);
        String name = key("same-name");
        assertThat(RowKeys.standard().prefixOf(RowKeys.roomLog(name)))
                .isNotEqualTo(RowKeys.standard().prefix(name));
        place(keys, name, 500, bytes("key"), 600);
        // Its own head: the room takes a mid below the key's.
        assertThat(await(store.append(name, 100, bytes("c"), bytes("room"), 600)))
                .isEqualTo(new AppendResult(true, 100));
        assertThat(await(store.fetch(name, 0, 0)))
                .containsExactly(new StoredMessage(100, bytes("room")));
        assertThat(await(keys.fetch(name, 0, 0)))
                .containsExactly(new StoredMessage(500, bytes("key")));
        await(keys.delete(name));
        assertThat(await(store.fetch(name, 0, 0))).hasSize(1);
    }

    @Test
    void evenWhenEveryNameHashesAlikeARoomNeverSeesAKeysMessages() throws Exception {
        // The row prefix of every key and room is the same: only the raw name column, which for a
        // room starts with 0xFF (never in a key's UTF-8), tells the logs apart. They share a head
        // row then, so their mids grow jointly, as two colliding keys' do (docs/MIDS.md).
        RowKeys colliding = new RowKeys(k -> new byte[RowKeys.HASH_LENGTH]);
        MessageStore keys =
                new HBaseMessageStore(
                        client::table,
                        LIMITS,
                        colliding,
                        trimmer(colliding, LogSpace.KEYS),
                        10_000);
        MessageStore rooms =
                new HBaseMessageStore(
                        client::table,
                        LIMITS,
                        colliding,
                        trimmer(colliding, LogSpace.ROOMS),
                        10_000,
                        LogSpace.ROOMS,
                        new MetricRegistry());
        String name = key("collide");
        place(keys, name, 10, bytes("k10"), 600);
        place(rooms, name, 20, bytes("r20"), 600);
        place(keys, name, 30, bytes("k30"), 600);
        assertThat(await(keys.fetch(name, 0, 0)))
                .containsExactly(
                        new StoredMessage(10, bytes("k10")), new StoredMessage(30, bytes("k30")));
        assertThat(await(rooms.fetch(name, 0, 0)))
                .containsExactly(new StoredMessage(20, bytes("r20")));
        assertThat(await(rooms.last(name))).isEqualTo(20);
        await(rooms.delete(name));
        assertThat(await(keys.fetch(name, 0, 0))).hasSize(2);
    }
}
