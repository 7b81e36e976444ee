package io.pushbase.comet.replay;

import io.pushbase.schema.message.v1.CursorsReply;
import io.pushbase.schema.message.v1.DeviceCursor;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * (Pushbase, issue 15) Where a resume from a device ({@code since=@<device>}) reads the device's
 * cursor: the message nodes' {@code Cursors} (in a comet, {@code
 * cluster/message/MessageNodeClient::cursors}, with that client's attempt deadline, retries on
 * another node and total bound).
 *
 * <p>Implementations are thread-safe and non-blocking; the future may complete on any thread.
 */
@FunctionalInterface
public interface DeviceCursors {

    /**
     * The largest mid {@code device} acknowledged of {@code key}; empty when the device has no
     * cursor (it never acknowledged, or its cursor expired). Fails when no message node could
     * answer within the client's bound.
     */
    CompletableFuture<OptionalLong> cursor(String key, String device);

    /** Reads through a {@code Cursors} call: the device's entry of the key's cursors. */
    static DeviceCursors of(Function<String, CompletableFuture<CursorsReply>> cursors) {
        return (key, device) ->
                cursors.apply(key)
                        .thenApply(
                                reply -> {
                                    for (DeviceCursor cursor : reply.getCursorsList()) {
                                        if (cursor.getDevice().equals(device)) {
                                            return OptionalLong.of(cursor.getMid());
                                        }
                                    }
                                    return OptionalLong.empty();
                                });
    }

    /** For a replayer without cursors (tests that never resume from a device): every read fails. */
    DeviceCursors NONE =
            (key, device) ->
                    CompletableFuture.failedFuture(
                            new IllegalStateException("this replayer reads no device cursors"));
}
