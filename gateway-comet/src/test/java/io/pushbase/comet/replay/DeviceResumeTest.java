package io.pushbase.comet.replay;

import static io.pushbase.comet.testing.Wire.bytes;
import static io.pushbase.comet.testing.Wire.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.codahale.metrics.MetricRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.handler.TcpInitializer;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.comet.testing.KeyChannelsGate;
import io.pushbase.comet.testing.ScriptedHistory;
import io.pushbase.comet.testing.Wire;
import io.pushbase.schema.client.MidClock;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * (Issue 15) A resume from a device's cursor ({@code since=@<device>}) through the real TCP
 * pipeline and {@link KeyChannels}, with the message nodes' {@code Cursors} and {@code Fetch}
 * answered by hand: the cursor is read first (with a slot), then the replay is the one of {@code
 * since=<cursor>}; live pushes are held from admission and the ones at or below the cursor dropped.
 */
class DeviceResumeTest {
    private static final String KEY = "k";
    private static final int PAGE = 3;

    /** One cursor read: what was asked and the answer the test completes. */
    private record Read(String key, String device, CompletableFuture<OptionalLong> answer) {}

    private final MetricRegistry registry = new MetricRegistry();
    private final ConnectionMetrics metrics = new ConnectionMetrics(registry, "comet.tcp");
    private final KeyChannels channels = new KeyChannels(64, registry);
    private final ScriptedHistory history = new ScriptedHistory();
    private final List<Read> reads = new CopyOnWriteArrayList<>();
    private final Replayer replayer =
            new Replayer(
                    history,
                    (key, device) -> {
                        Read read = new Read(key, device, new CompletableFuture<>());
                        reads.add(read);
                        return read.answer();
                    },
                    PAGE,
                    2,
                    Replayer.DEFAULT_MAX_SINCE_AHEAD,
                    MidClock.system(),
                    registry);
    private final ConnectionSettings settings =
            ConnectionSettings.builder().maxPendingMessages(5).build();

    /** A TCP client subscribing to {@code KEY} with {@code since}; its {@code +h} is read. */
    private EmbeddedChannel subscribe(String since) {
        EmbeddedChannel channel =
                new EmbeddedChannel(
                        new TcpInitializer(
                                settings, new KeyChannelsGate(channels), replayer, metrics));
        channel.writeInbound(bytes(request("sub", KEY, "30", "", "1", since)));
        channel.runPendingTasks();
        return channel;
    }

    private void push(long mid) {
        byte[] payload = ScriptedHistory.payload(mid).getBytes(StandardCharsets.UTF_8);
        for (Subscriber subscriber : channels.subscribers(KEY)) {
            subscriber.deliver(mid, payload);
        }
    }

    private long meter(String name) {
        return registry.meter("comet.replay." + name).getCount();
    }

    private static String frame(long mid) {
        String json = "{\"msg\":{\"n\":" + mid + "},\"mid\":" + mid + ",\"gid\":0}";
        return "$" + json.length() + "\r\n" + json + "\r\n";
    }

    @Test
    void theCursorIsReadFirstThenTheReplayIsTheOneOfSinceCursor() {
        EmbeddedChannel channel = subscribe("@phone-1");
        assertThat(Wire.outbound(channel)).isEqualTo("+h\r\n");
        assertThat(reads).hasSize(1);
        assertThat(reads.get(0).key()).isEqualTo(KEY);
        assertThat(reads.get(0).device()).isEqualTo("phone-1");
        assertThat(history.fetches()).as("no page before the cursor").isEmpty();
        assertThat(replayer.slots().taken()).as("the cursor read holds a slot").isEqualTo(1);

        // Live pushes while the cursor is read are held; the ones the device acked are dropped.
        push(11);
        push(12);
        reads.get(0).answer().complete(OptionalLong.of(11));
        channel.runPendingTasks();
        assertThat(history.fetches()).hasSize(1);
        assertThat(history.last().after()).isEqualTo(11);

        history.last().replyWithFloor(5, 12);
        channel.runPendingTasks();
        push(13);

        assertThat(Wire.outbound(channel)).isEqualTo("+r complete\r\n" + frame(12) + frame(13));
        assertThat(meter("fromCursor")).isEqualTo(1);
        assertThat(meter("completed")).isEqualTo(1);
        assertThat(replayer.slots().taken()).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void aDeviceWithoutCursorResumesFromZeroUnderTheFloorRule() {
        EmbeddedChannel channel = subscribe("@fresh");
        Wire.outbound(channel);
        reads.get(0).answer().complete(OptionalLong.empty());
        channel.runPendingTasks();
        assertThat(history.last().after()).isZero();

        // Nothing of the key is gone (floor 0, which real stores never answer: their floor is at
        // least now - retention, so a device without a cursor is told truncated): complete.
        history.last().reply(7, 8);
        channel.runPendingTasks();

        assertThat(Wire.outbound(channel)).isEqualTo("+r complete\r\n" + frame(7) + frame(8));
        assertThat(meter("withoutCursor")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void aDeviceWithoutCursorIsAnsweredTruncatedWhenTheKeyLostMessages() {
        EmbeddedChannel channel = subscribe("@fresh");
        Wire.outbound(channel);
        reads.get(0).answer().complete(OptionalLong.empty());
        channel.runPendingTasks();

        history.last().replyWithFloor(6, 7, 8);
        channel.runPendingTasks();

        assertThat(Wire.outbound(channel)).isEqualTo("+r truncated\r\n" + frame(7) + frame(8));
        assertFalse(channel.finish());
    }

    @Test
    void aFailedCursorReadClosesTheConnectionAndIsCounted() {
        EmbeddedChannel channel = subscribe("@phone-1");
        Wire.outbound(channel);
        push(11);

        reads.get(0)
                .answer()
                .completeExceptionally(
                        new StatusRuntimeException(
                                Status.UNAVAILABLE.withDescription("no message node answered")));
        channel.runPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(Wire.outbound(channel)).as("nothing sent, no answer line").isEmpty();
        assertThat(history.fetches()).isEmpty();
        assertThat(meter("cursorFailures")).isEqualTo(1);
        assertThat(meter("failures")).isEqualTo(1);
        assertThat(replayer.slots().taken()).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void aConnectionClosedDuringTheCursorReadReadsNoPage() {
        EmbeddedChannel channel = subscribe("@phone-1");
        assertThat(Wire.outbound(channel)).isEqualTo("+h\r\n");
        channel.close();
        channel.runPendingTasks();

        reads.get(0).answer().complete(OptionalLong.of(3));
        channel.runPendingTasks();

        assertThat(history.fetches()).isEmpty();
        assertThat(replayer.slots().taken()).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void aBadDeviceIsRefusedWithoutAnyRead() {
        EmbeddedChannel channel = subscribe("@" + "d".repeat(65));

        assertThat(Wire.outbound(channel)).isEqualTo("-p\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(reads).isEmpty();
        assertThat(registry.counter("comet.tcp.rejected.device").getCount()).isEqualTo(1);
        assertThat(registry.counter("comet.tcp.rejected.param").getCount()).isEqualTo(1);
        assertThat(channels.subscribers(KEY)).isEmpty();
        assertFalse(channel.finish());
    }
}
