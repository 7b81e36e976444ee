package io.pushbase.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushbase.schema.hbase.RowKeys;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * (Pushbase, issue 14) The contract of a store of room logs ({@link LogSpace#ROOMS}): every test of
 * {@link MessageStoreContract} — head, mids, claims, idempotency, cap, trims, floor, expiry — run
 * on room names instead of keys, except the two about the key rule, which the room rule replaces
 * here. Room names of the contract are {@code k-<run>-<name>}, which the room rule admits.
 */
public abstract class RoomLogContract extends MessageStoreContract {

    /** Two distinct rooms whose logs the row-key format files under one bucket. */
    protected static List<String> twoRoomsInOneBucket(RowKeys rowKeys, String stem) {
        String first = stem + "-0";
        int bucket = rowKeys.prefixOf(RowKeys.roomLog(first))[0];
        for (int i = 1; ; i++) {
            String other = stem + "-" + i;
            if (rowKeys.prefixOf(RowKeys.roomLog(other))[0] == bucket) {
                return List.of(first, other);
            }
        }
    }

    /**
     * Not a room: the key rule's own test (replaced by {@link #aRoomOf128CharactersIsAccepted}).
     */
    @Override
    void keyOfExactly256Utf8BytesIsAccepted() {}

    /** Not a room: the key rule's own test (replaced by {@link #everyInvalidRoomIsRefused}). */
    @Override
    void everyInvalidArgumentIsRefusedWithItsReason() {}

    @Test
    void aRoomOf128CharactersIsAccepted() throws Exception {
        String room = ("r" + key("long")).repeat(20).substring(0, 128);
        place(store(), room, 1, bytes("ok"), 600);
        assertThat(await(store().fetch(room, 0, 0))).hasSize(1);
        await(store().delete(room));
    }

    @Test
    void everyInvalidRoomIsRefused() {
        byte[] c = bytes("c");
        assertInvalid(store().append("", 1, c, bytes("x"), 60), "room must not be empty");
        assertInvalid(store().append(null, 1, c, bytes("x"), 60), "room must not be empty");
        assertInvalid(store().append("r".repeat(129), 1, c, bytes("x"), 60), "room is 129");
        assertInvalid(store().append("a b", 1, c, bytes("x"), 60), "position 2");
        assertInvalid(store().append("a,b", 1, c, bytes("x"), 60), "position 2");
        assertInvalid(store().append("a@1", 1, c, bytes("x"), 60), "position 2");
        assertInvalid(store().append("é", 1, c, bytes("x"), 60), "position 1");
        assertInvalid(store().fetch("", 0, 0), "room must not be empty");
        assertInvalid(store().last("a/b"), "position 2");
        assertInvalid(store().delete("\"x\""), "position 1");
        String room = key("invalid");
        assertInvalid(store().append(room, 0, c, bytes("x"), 60), "mid must be positive");
        assertInvalid(store().append(room, 1, c, bytes("x"), RETENTION + 1), "retention");
    }

    private static void assertInvalid(CompletableFuture<?> f, String reason) {
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(reason);
    }
}
