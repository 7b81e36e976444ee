package io.pushbase.comet.testing;

import io.pushbase.comet.subscription.Admission;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.comet.subscription.Subscription;
import io.pushbase.comet.subscription.SubscriptionGate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link SubscriptionGate} that answers a fixed {@link Admission} and records what it was asked
 * and whom it admitted, forgetting a subscriber when its connection closes, as the real registry
 * will.
 */
public final class RecordingGate implements SubscriptionGate {
    private final Admission answer;
    private final List<Subscription> asked = new CopyOnWriteArrayList<>();
    private final List<Subscriber> live = new CopyOnWriteArrayList<>();

    public RecordingGate(Admission answer) {
        this.answer = answer;
    }

    public static RecordingGate admitting() {
        return new RecordingGate(Admission.OK);
    }

    @Override
    public Admission admit(Subscription subscription, Subscriber subscriber) {
        asked.add(subscription);
        if (answer == Admission.OK) {
            live.add(subscriber);
            subscriber.closeFuture().thenRun(() -> live.remove(subscriber));
        }
        return answer;
    }

    public List<Subscription> asked() {
        return asked;
    }

    public List<Subscriber> live() {
        return live;
    }

    /** The one live subscriber. */
    public Subscriber subscriber() {
        if (live.size() != 1) {
            throw new AssertionError("expected one live subscriber, got " + live);
        }
        return live.get(0);
    }
}
