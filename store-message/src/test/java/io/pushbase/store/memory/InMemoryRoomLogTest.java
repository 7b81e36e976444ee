package io.pushbase.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.AppendResult;
import io.pushbase.store.LogSpace;
import io.pushbase.store.MessageStore;
import io.pushbase.store.RoomLogContract;
import java.util.List;
import org.junit.jupiter.api.Test;

/** (Pushbase) The room-log contract on the in-memory store of {@link LogSpace#ROOMS}. */
class InMemoryRoomLogTest extends RoomLogContract {
    private final InMemoryMessageStore store =
            new InMemoryMessageStore(LIMITS, System::currentTimeMillis, LogSpace.ROOMS);

    @Override
    protected MessageStore store() {
        return store;
    }

    @Override
    protected int heldRows(String room) {
        return store.heldCount(room);
    }

    @Override
    protected List<String> twoKeysInOneBucket() {
        return twoRoomsInOneBucket(RowKeys.standard(), key("bucket"));
    }

    @Test
    void aRoomAndAKeyOfTheSameNameAreTwoLogs() throws Exception {
        InMemoryMessageStore keys = new InMemoryMessageStore(LIMITS);
        String name = key("shared-name");
        place(keys, name, 500, bytes("key"), 600);
        // The room's head is its own: a mid below the key's head is taken.
        assertThat(await(store.append(name, 100, bytes("c"), bytes("room"), 600)))
                .isEqualTo(new AppendResult(true, 100));
        assertThat(await(store.fetch(name, 0, 0))).hasSize(1);
        assertThat(await(keys.fetch(name, 0, 0)).get(0).mid()).isEqualTo(500);
    }
}
