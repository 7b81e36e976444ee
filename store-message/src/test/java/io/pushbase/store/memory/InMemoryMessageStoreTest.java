package io.pushbase.store.memory;

import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.MessageStore;
import io.pushbase.store.MessageStoreContract;
import java.util.List;

class InMemoryMessageStoreTest extends MessageStoreContract {
    private final InMemoryMessageStore store = new InMemoryMessageStore(LIMITS);

    @Override
    protected MessageStore store() {
        return store;
    }

    @Override
    protected int heldRows(String key) {
        return store.heldCount(key);
    }

    @Override
    protected List<String> twoKeysInOneBucket() {
        return SameBucket.keys(RowKeys.standard(), key("bucket"));
    }
}
