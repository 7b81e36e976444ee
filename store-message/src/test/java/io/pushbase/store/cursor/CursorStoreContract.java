package io.pushbase.store.cursor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushbase.store.AppendResult;
import io.pushbase.store.InvalidArgumentException;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoreLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link CursorStore} must have (docs/STORE.md, "Device cursors"). Subclasses
 * provide a cursor store built with {@link #LIMITS}, one built with {@link #SHORT_LIVED}, and the
 * message store whose heads both check acks against. Keys are unique per test.
 */
public abstract class CursorStoreContract {
    protected static final long RETENTION = 3600;
    protected static final StoreLimits STORE_LIMITS = new StoreLimits(1024, 20, RETENTION, 1000);
    protected static final int MAX_DEVICES = 3;
    protected static final CursorLimits LIMITS = new CursorLimits(MAX_DEVICES, RETENTION, 100);

    /** Cursors that live 3 seconds after their last ack. */
    protected static final CursorLimits SHORT_LIVED = new CursorLimits(MAX_DEVICES, 3, 100);

    protected abstract CursorStore cursors();

    protected abstract CursorStore shortLivedCursors();

    protected abstract MessageStore messages();

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private String key(String name) {
        return "c-" + run + "-" + name;
    }

    protected static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    /** Takes mids up to {@code head} for {@code key} (one stored message at {@code head}). */
    private void headAt(String key, long head) throws Exception {
        headAt(messages(), key, head);
    }

    /**
     * Appends one message at {@code mid} to {@code key} through {@code store}; checks it was taken.
     */
    protected static void headAt(MessageStore store, String key, long mid) throws Exception {
        assertThat(await(store.append(key, mid, bytes("head-" + mid), bytes("{}"), 600)))
                .as("append of mid %d to %s", mid, key)
                .isEqualTo(new AppendResult(true, mid));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static AckResult ack(CursorStore store, String key, String device, long mid)
            throws Exception {
        List<AckResult> results = await(store.ackMany(List.of(new Ack(key, device, mid))));
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    private static List<DeviceCursor> cursorsOf(CursorStore store, String key) throws Exception {
        return await(store.cursors(key)).cursors();
    }

    @Test
    void anAckRaisesTheCursorAndAnOlderOneNeverLowersIt() throws Exception {
        String k = key("raise");
        headAt(k, 30);
        assertThat(ack(cursors(), k, "phone", 20)).isEqualTo(AckResult.stored(20));
        assertThat(ack(cursors(), k, "phone", 10)).isEqualTo(AckResult.stored(20));
        assertThat(ack(cursors(), k, "phone", 20)).isEqualTo(AckResult.stored(20));
        assertThat(cursorsOf(cursors(), k)).extracting(DeviceCursor::mid).containsExactly(20L);
        assertThat(ack(cursors(), k, "phone", 30)).isEqualTo(AckResult.stored(30));
        KeyCursors got = await(cursors().cursors(k));
        assertThat(got.head()).isEqualTo(30);
        assertThat(got.cursors()).extracting(DeviceCursor::device).containsExactly("phone");
        assertThat(got.cursors()).extracting(DeviceCursor::mid).containsExactly(30L);
    }

    @Test
    void racingAcksOfOneDeviceEndAtTheLargest() throws Exception {
        String k = key("race");
        headAt(k, 32);
        List<Long> mids = new ArrayList<>();
        for (long m = 1; m <= 32; m++) {
            mids.add(m);
        }
        Collections.shuffle(mids);
        List<CompletableFuture<List<AckResult>>> calls = new ArrayList<>();
        for (long m : mids) {
            calls.add(cursors().ackMany(List.of(new Ack(k, "tablet", m))));
        }
        for (int i = 0; i < calls.size(); i++) {
            AckResult r = await(calls.get(i)).get(0);
            assertThat(r.status()).isEqualTo(AckResult.Status.STORED);
            assertThat(r.cursor()).isGreaterThanOrEqualTo(mids.get(i));
        }
        assertThat(cursorsOf(cursors(), k)).extracting(DeviceCursor::mid).containsExactly(32L);
    }

    @Test
    void twoAcksOfOneDeviceInOneCallKeepTheLarger() throws Exception {
        String k = key("one-call");
        headAt(k, 50);
        List<AckResult> results =
                await(cursors().ackMany(List.of(new Ack(k, "d", 50), new Ack(k, "d", 40))));
        assertThat(results).extracting(AckResult::status).containsOnly(AckResult.Status.STORED);
        assertThat(cursorsOf(cursors(), k)).extracting(DeviceCursor::mid).containsExactly(50L);
    }

    @Test
    void anAckAboveTheHeadWasNeverIssued() throws Exception {
        String k = key("head");
        headAt(k, 30);
        AckResult above = ack(cursors(), k, "phone", 31);
        assertThat(above.status()).isEqualTo(AckResult.Status.NOT_ISSUED);
        assertThat(above.cursor()).isEqualTo(30);
        assertThat(above.problem()).isEqualTo("mid 31 was never issued: above the key's head 30");
        String never = key("never-pushed");
        AckResult none = ack(cursors(), never, "phone", 1);
        assertThat(none.status()).isEqualTo(AckResult.Status.NOT_ISSUED);
        assertThat(none.cursor()).isEqualTo(-1);
        assertThat(await(cursors().cursors(never))).isEqualTo(new KeyCursors(-1, List.of()));
        assertThat(cursorsOf(cursors(), k)).isEmpty();
    }

    @Test
    void devicesAreBoundedPerKeyAndKnownDevicesStillAck() throws Exception {
        String k = key("bound");
        headAt(k, 100);
        for (int d = 1; d <= MAX_DEVICES; d++) {
            assertThat(ack(cursors(), k, "d" + d, 10 * d).status())
                    .isEqualTo(AckResult.Status.STORED);
        }
        AckResult refused = ack(cursors(), k, "d9", 50);
        assertThat(refused.status()).isEqualTo(AckResult.Status.TOO_MANY_DEVICES);
        assertThat(refused.problem()).isEqualTo("the key has 3 devices, the most allowed");
        assertThat(ack(cursors(), k, "d1", 90)).isEqualTo(AckResult.stored(90));
        assertThat(cursorsOf(cursors(), k))
                .extracting(DeviceCursor::device)
                .containsExactly("d1", "d2", "d3");
        assertThat(cursorsOf(cursors(), k))
                .extracting(DeviceCursor::mid)
                .containsExactly(90L, 20L, 30L);
    }

    @Test
    void invalidAcksFailAloneAndNameTheProblem() throws Exception {
        String k = key("invalid");
        headAt(k, 10);
        List<AckResult> results =
                await(
                        cursors()
                                .ackMany(
                                        List.of(
                                                new Ack(k, "a b", 5),
                                                new Ack(k, "d".repeat(65), 5),
                                                new Ack(k, "ok", 0),
                                                new Ack("", "ok", 5),
                                                new Ack(k, "ok", 5))));
        assertThat(results)
                .extracting(AckResult::status)
                .containsExactly(
                        AckResult.Status.INVALID,
                        AckResult.Status.INVALID,
                        AckResult.Status.INVALID,
                        AckResult.Status.INVALID,
                        AckResult.Status.STORED);
        assertThat(results.get(0).problem()).contains("U+0020");
        assertThat(results.get(1).problem()).isEqualTo("device id is 65 characters, at most 64");
        assertThat(results.get(2).problem()).isEqualTo("mid must be positive, got 0");
        assertThat(results.get(3).problem()).isEqualTo("key must not be empty");
        assertThat(cursorsOf(cursors(), k)).extracting(DeviceCursor::device).containsExactly("ok");
    }

    @Test
    void anEmptyOrOversizedCallIsRefusedWhole() {
        assertThatThrownBy(() -> await(cursors().ackMany(List.of())))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("no acks");
        List<Ack> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add(new Ack(key("many"), "d", 1));
        }
        assertThatThrownBy(() -> await(cursors().ackMany(many)))
                .hasCauseInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("101 acks in one call, at most 100");
        assertThatThrownBy(() -> await(cursors().cursors("")))
                .hasCauseInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void aCursorRecordsWhenItWasAcked() throws Exception {
        String k = key("when");
        headAt(k, 5);
        long before = System.currentTimeMillis();
        ack(cursors(), k, "d", 5);
        long after = System.currentTimeMillis();
        // The store's clock (HBase: the cell's timestamp) stamps the write, so allow a second.
        assertThat(cursorsOf(cursors(), k).get(0).ackedAtMillis())
                .isBetween(before - 1000, after + 1000);
    }

    @Test
    void aCursorExpiresItsLifetimeAfterItsLastAckAndFreesItsPlace() throws Exception {
        String k = key("expiry");
        headAt(k, 100);
        CursorStore store = shortLivedCursors();
        for (int d = 1; d <= MAX_DEVICES; d++) {
            assertThat(ack(store, k, "d" + d, d).status()).isEqualTo(AckResult.Status.STORED);
        }
        Thread.sleep(1_800);
        // A re-ack (even of the same mid) refreshes d1; the others are left to expire.
        assertThat(ack(store, k, "d1", 1)).isEqualTo(AckResult.stored(1));
        Thread.sleep(1_800);
        assertThat(cursorsOf(store, k)).extracting(DeviceCursor::device).containsExactly("d1");
        // The expired devices' places are free again.
        assertThat(ack(store, k, "d8", 7)).isEqualTo(AckResult.stored(7));
        Thread.sleep(3_200);
        assertThat(cursorsOf(store, k)).isEmpty();
    }
}
