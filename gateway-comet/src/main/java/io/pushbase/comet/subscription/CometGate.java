package io.pushbase.comet.subscription;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.cluster.token.TokenCheck;
import io.pushbase.cluster.token.TokenVerifier;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The comet's admission rules for a parsed subscription, in order: the token (when auth is on) must
 * entitle the bearer to the key ({@code -a}); the key must belong to this comet now ({@code -n}:
 * ring, leadership, ZooKeeper session); the key's channel must have room ({@code -c}). An admitted
 * subscriber joins the {@link SubscriberRegistry} (the comet's per-key channels) and leaves it when
 * it closes.
 *
 * <p>Thread-safe; runs on event loops and does no I/O (token checks are CPU only). Metrics: {@code
 * comet.auth.<missing|invalid|expired|wrong_key>} counters for refused tokens, {@code
 * comet.gate.not_owner}.
 */
public final class CometGate implements SubscriptionGate {
    private final Optional<TokenVerifier> tokens;
    private final Predicate<String> owns;
    private final SubscriberRegistry channels;
    private final MetricRegistry metrics;

    /**
     * @param tokens the token check, or empty when auth is off (gopush-cluster's default)
     * @param owns whether this comet serves a key now
     * @param channels where admitted subscribers go
     */
    public CometGate(
            Optional<TokenVerifier> tokens,
            Predicate<String> owns,
            SubscriberRegistry channels,
            MetricRegistry metrics) {
        this.tokens = tokens;
        this.owns = owns;
        this.channels = channels;
        this.metrics = metrics;
    }

    /**
     * The first two rules alone, for a request that joins no channel (Pushbase: an acknowledgement
     * over HTTP, docs/PROTOCOL.md "Acknowledgements"): the token for {@code key} when auth is on
     * ({@code REJECT_AUTH}; {@code token} empty when none was sent), then that this comet serves
     * the key now ({@code REJECT_NOT_OWNER}); counted as for a subscription.
     */
    public Admission check(String key, String token) {
        if (tokens.isPresent()) {
            TokenCheck check = tokens.get().check(token, key);
            if (check != TokenCheck.VALID) {
                metrics.counter("comet.auth." + check.name().toLowerCase(Locale.ROOT)).inc();
                return Admission.REJECT_AUTH;
            }
        }
        if (!owns.test(key)) {
            metrics.counter("comet.gate.not_owner").inc();
            return Admission.REJECT_NOT_OWNER;
        }
        return Admission.OK;
    }

    @Override
    public Admission admit(Subscription subscription, Subscriber subscriber) {
        Admission tokenAndOwner = check(subscription.key(), subscription.token());
        if (tokenAndOwner != Admission.OK) {
            return tokenAndOwner;
        }
        if (!channels.add(subscriber)) {
            return Admission.REJECT_CHANNEL;
        }
        // The ring may have moved the key away between the check above and the add: the sweep
        // that closes moved keys' connections runs after each ring change, so a connection added
        // after its sweep would stay. Checking again after the add closes that window; the
        // refusal closes the connection, which takes it out of the channel.
        if (!owns.test(subscription.key())) {
            metrics.counter("comet.gate.not_owner").inc();
            return Admission.REJECT_NOT_OWNER;
        }
        return Admission.OK;
    }
}
