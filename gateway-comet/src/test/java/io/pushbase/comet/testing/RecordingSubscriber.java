package io.pushbase.comet.testing;

import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.comet.subscription.Subscription;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** A subscriber that records what it was given, in order. */
public final class RecordingSubscriber implements Subscriber {
    public final List<Long> mids = new CopyOnWriteArrayList<>();
    public final List<String> payloads = new CopyOnWriteArrayList<>();
    private final Subscription subscription;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    public RecordingSubscriber(String key) {
        this.subscription = new Subscription(key, 30, "", "1");
    }

    @Override
    public Subscription subscription() {
        return subscription;
    }

    @Override
    public SocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 1);
    }

    @Override
    public Delivery deliver(long mid, byte[] payload) {
        if (closed.isDone()) {
            return Delivery.CLOSED;
        }
        mids.add(mid);
        payloads.add(new String(payload, java.nio.charset.StandardCharsets.UTF_8));
        return Delivery.QUEUED;
    }

    @Override
    public void close() {
        closed.complete(null);
    }

    @Override
    public boolean isOpen() {
        return !closed.isDone();
    }

    @Override
    public CompletionStage<Void> closeFuture() {
        return closed;
    }
}
