package io.pushbase.store.memory;

import io.pushbase.store.MessageStore;
import io.pushbase.store.cursor.CursorStore;
import io.pushbase.store.cursor.CursorStoreContract;

class InMemoryCursorStoreTest extends CursorStoreContract {
    private final InMemoryMessageStore messages = new InMemoryMessageStore(STORE_LIMITS);
    private final InMemoryCursorStore cursors =
            new InMemoryCursorStore(LIMITS, messages::head, System::currentTimeMillis);
    private final InMemoryCursorStore shortLived =
            new InMemoryCursorStore(SHORT_LIVED, messages::head, System::currentTimeMillis);

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
}
