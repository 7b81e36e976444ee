package io.pushbase.web.view;

import io.pushbase.cluster.message.MessageNodeClient;
import io.pushbase.schema.message.v1.CursorsReply;
import io.pushbase.schema.message.v1.DeviceCursor;
import io.pushbase.schema.message.v1.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * (Pushbase) Delivery receipts for app servers (docs/WEB.md "Delivery receipts"), read from the
 * message nodes' device cursors: the devices of a key with their cursors and unread counts, and
 * whether a mid was acknowledged and by which devices.
 *
 * <p>"Unread" is the number of messages stored above a device's cursor: one {@code Fetch} after the
 * smallest cursor, so it counts only what is still stored (at most the per-key cap; trimmed,
 * deleted and expired messages are not counted). Mids travel as decimal strings (exact in
 * JavaScript). Failure semantics: the futures fail as the message-node client's do (unavailable
 * nodes, or {@code INVALID_ARGUMENT} for a key a node refuses); the resource answers them.
 * Stateless; thread-safe.
 */
public final class DeliveryReceipts {
    /**
     * One device of a key: its cursor, when it last acked, and how many stored messages lie above.
     */
    public record Device(String device, String cursor, long ackedAtMillis, int unread) {}

    /** The devices of a key; {@code head} is the key's largest taken mid ("-1": none). */
    public record Devices(String key, String head, List<Device> devices) {}

    /**
     * Whether {@code mid} of {@code key} was acknowledged: {@code acked} when some device's cursor
     * is at or above it, {@code devices} those devices; {@code issued} whether the key's head is at
     * or above it (a mid above the head was never given out, so nobody can have acked it).
     */
    public record Receipt(
            String key, String mid, boolean issued, boolean acked, List<String> devices) {}

    private final MessageNodeClient source;

    /**
     * @param source the message nodes' client (borrowed: its owner starts and stops it)
     */
    public DeliveryReceipts(MessageNodeClient source) {
        this.source = source;
    }

    public CompletableFuture<Devices> devices(String key) {
        return source.cursors(key)
                .thenCompose(
                        reply -> {
                            if (reply.getCursorsCount() == 0) {
                                return CompletableFuture.completedFuture(
                                        new Devices(
                                                key, Long.toString(reply.getHead()), List.of()));
                            }
                            long lowest = Long.MAX_VALUE;
                            for (DeviceCursor c : reply.getCursorsList()) {
                                lowest = Math.min(lowest, c.getMid());
                            }
                            return source.fetch(key, lowest, 0)
                                    .thenApply(stored -> devices(key, reply, stored));
                        });
    }

    private static Devices devices(String key, CursorsReply reply, List<StoredMessage> stored) {
        List<Device> devices = new ArrayList<>(reply.getCursorsCount());
        for (DeviceCursor c : reply.getCursorsList()) {
            int unread = 0;
            for (StoredMessage m : stored) {
                if (m.getMid() > c.getMid()) {
                    unread++;
                }
            }
            devices.add(
                    new Device(
                            c.getDevice(),
                            Long.toString(c.getMid()),
                            c.getAckedAtMillis(),
                            unread));
        }
        return new Devices(key, Long.toString(reply.getHead()), devices);
    }

    public CompletableFuture<Receipt> acked(String key, long mid) {
        return source.cursors(key)
                .thenApply(
                        reply -> {
                            List<String> devices = new ArrayList<>();
                            for (DeviceCursor c : reply.getCursorsList()) {
                                if (c.getMid() >= mid) {
                                    devices.add(c.getDevice());
                                }
                            }
                            return new Receipt(
                                    key,
                                    Long.toString(mid),
                                    reply.getHead() >= mid,
                                    !devices.isEmpty(),
                                    devices);
                        });
    }
}
