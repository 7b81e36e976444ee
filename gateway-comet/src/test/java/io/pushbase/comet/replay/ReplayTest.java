package io.pushbase.comet.replay;

import static io.pushbase.comet.testing.StallingOutbound.stall;
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
import io.pushbase.comet.testing.Replayers;
import io.pushbase.comet.testing.ScriptedHistory;
import io.pushbase.comet.testing.StallingOutbound;
import io.pushbase.comet.testing.Wire;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The replay/live seam of resume on subscribe through the real TCP pipeline ({@link
 * TcpInitializer}, a real {@link KeyChannels}), with the message nodes' {@code Fetch} answered by
 * hand ({@link ScriptedHistory}) so each test decides what a push meets: a page in flight, a page
 * written but not read, a failure, a closed connection. Pushes reach the connection as the push
 * pipeline delivers them: to every subscriber of the key's channel, in mid order.
 */
class ReplayTest {
    private static final String KEY = "k";
    private static final int PAGE = 3;
    private static final int MAX_PENDING = 5;
    private static final int FETCHES = 2;
    private static final Pattern MID = Pattern.compile("\"mid\":(\\d+)");

    private final MetricRegistry registry = new MetricRegistry();
    private final ConnectionMetrics metrics = new ConnectionMetrics(registry, "comet.tcp");
    private final KeyChannels channels = new KeyChannels(64, registry);
    private final ScriptedHistory history = new ScriptedHistory();
    private final Replayer replayer = Replayers.over(history, PAGE, FETCHES, registry);
    private final ConnectionSettings settings =
            ConnectionSettings.builder().maxPendingMessages(MAX_PENDING).build();

    /** A TCP client subscribing to {@code key} with {@code since}; its {@code +h} is read. */
    private EmbeddedChannel resume(String key, long since) {
        EmbeddedChannel channel =
                new EmbeddedChannel(
                        new TcpInitializer(
                                settings, new KeyChannelsGate(channels), replayer, metrics));
        channel.writeInbound(bytes(request("sub", key, "30", "", "1", Long.toString(since))));
        channel.runPendingTasks();
        assertThat(Wire.outbound(channel)).isEqualTo("+h\r\n");
        return channel;
    }

    /** Pushes {@code mid} to every subscriber of the key, as the push pipeline does. */
    private void push(long mid) {
        byte[] payload = ScriptedHistory.payload(mid).getBytes(StandardCharsets.UTF_8);
        for (Subscriber subscriber : channels.subscribers(KEY)) {
            subscriber.deliver(mid, payload);
        }
    }

    /** The mids of the pushed messages the client received since the last call, in order. */
    private static List<Long> received(EmbeddedChannel channel) {
        List<Long> mids = new ArrayList<>();
        Matcher m = MID.matcher(Wire.outbound(channel));
        while (m.find()) {
            mids.add(Long.parseLong(m.group(1)));
        }
        return mids;
    }

    private long meter(String name) {
        return registry.meter("comet.replay." + name).getCount();
    }

    private int gauge(String name) {
        return (Integer) registry.getGauges().get("comet.replay." + name).getValue();
    }

    @Test
    void storedMessagesAfterSinceComeFirstInPagesThenLiveOnes() {
        EmbeddedChannel channel = resume(KEY, 10);

        assertThat(history.fetches()).hasSize(1);
        assertThat(history.last().key()).isEqualTo(KEY);
        assertThat(history.last().after()).isEqualTo(10);
        assertThat(history.last().limit()).isEqualTo(PAGE);
        history.last().reply(11, 12, 13);
        channel.runPendingTasks();
        assertThat(received(channel)).containsExactly(11L, 12L, 13L);

        // A full page: the next one is read after the last mid written.
        assertThat(history.fetches()).hasSize(2);
        assertThat(history.last().after()).isEqualTo(13);
        history.last().reply(14);
        channel.runPendingTasks();
        assertThat(received(channel)).containsExactly(14L);

        // A short page was the last: live messages now go straight out.
        push(15);
        assertThat(received(channel)).containsExactly(15L);
        assertThat(history.fetches()).hasSize(2);
        assertThat(meter("messages")).isEqualTo(4);
        assertThat(meter("started")).isEqualTo(1);
        assertThat(meter("completed")).isEqualTo(1);
        assertThat(gauge("active")).isZero();
        assertThat(gauge("fetching")).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void aFullPageSayingNothingMoreFollowsIsTheLastOneFetch() {
        EmbeddedChannel channel = resume(KEY, 10);
        push(13); // pushed while the page is read: stored, so in the page too
        history.last().replySayingMore(false, 11, 12, 13);
        channel.runPendingTasks();
        assertThat(received(channel)).containsExactly(11L, 12L, 13L);

        // No empty page after it: live at once.
        push(14);
        assertThat(received(channel)).containsExactly(14L);
        assertThat(history.fetches()).hasSize(1);
        assertThat(meter("completed")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void aShortReplayTakesOneFetch() {
        EmbeddedChannel channel = resume(KEY, 10);
        history.last().replySayingMore(false, 11);
        channel.runPendingTasks();
        push(12);
        assertThat(received(channel)).containsExactly(11L, 12L);
        assertThat(history.fetches()).hasSize(1);
        assertFalse(channel.finish());
    }

    @Test
    void aMultiPageReplayTakesOneFetchPerPageAndHoldsTheSeam() {
        EmbeddedChannel channel = resume(KEY, 10);
        history.last().replySayingMore(true, 11, 12, 13);
        channel.runPendingTasks();
        assertThat(received(channel)).containsExactly(11L, 12L, 13L);
        assertThat(history.fetches()).hasSize(2);
        assertThat(history.last().after()).isEqualTo(13);

        // Pushes racing the second page: 15 is in it, 16 and 17 are not.
        push(15);
        push(16);
        history.last().replySayingMore(true, 14, 15);
        channel.runPendingTasks();
        // A short page that says more follow (the node's cap is below the page size) is not the
        // last; held messages stay held.
        assertThat(received(channel)).containsExactly(14L, 15L);
        assertThat(history.fetches()).hasSize(3);
        assertThat(history.last().after()).isEqualTo(15);
        push(17);
        history.last().replySayingMore(false, 16);
        channel.runPendingTasks();

        // 16 replayed once, 17 released from the hold: no gap, no duplicate, three fetches.
        assertThat(received(channel)).containsExactly(16L, 17L);
        assertThat(history.fetches()).hasSize(3);
        push(18);
        assertThat(received(channel)).containsExactly(18L);
        assertThat(meter("messages")).isEqualTo(6);
        assertFalse(channel.finish());
    }

    @Test
    void aPushRacingThePagesIsHeldThenMergedByMidWithoutGapOrDuplicate() {
        EmbeddedChannel channel = resume(KEY, 10);

        // Pushed while the first page is being read: stored too, so the page carries them.
        push(12);
        push(13);
        assertThat(received(channel)).as("held during the replay").isEmpty();
        history.last().reply(11, 12, 13);
        channel.runPendingTasks();
        assertThat(received(channel)).containsExactly(11L, 12L, 13L);

        // Pushed while the second page is being read: 14 made it into the page, 15 did not.
        push(14);
        push(15);
        history.last().reply(14);
        channel.runPendingTasks();

        // 12, 13 and 14 (not above the last replayed mid) are dropped, 15 released.
        assertThat(received(channel)).containsExactly(14L, 15L);
        push(16);
        assertThat(received(channel)).containsExactly(16L);
        assertFalse(channel.finish());
    }

    @Test
    void aDeliveryThatArrivesAfterTheReplayReadItIsDroppedEvenOnceLive() {
        // The push pipeline looks up the key's subscribers after the append is acknowledged, and
        // may deliver to this one only after the replay has read the same message from the store.
        EmbeddedChannel channel = resume(KEY, 10);
        history.last().reply(11);
        channel.runPendingTasks();
        assertThat(received(channel)).containsExactly(11L);

        push(11);
        push(12);

        assertThat(received(channel)).containsExactly(12L);
        assertFalse(channel.finish());
    }

    @Test
    void aMessageNotAboveSinceIsNeverSent() {
        EmbeddedChannel channel = resume(KEY, 10);
        push(10);
        history.last().reply();
        channel.runPendingTasks();
        push(9);
        push(11);

        assertThat(received(channel)).containsExactly(11L);
        assertFalse(channel.finish());
    }

    @Test
    void onlineOnlyMessagesHeldDuringTheReplayAreMergedInByMid() {
        EmbeddedChannel channel = resume(KEY, 10);
        // 11 and 13 are online-only (never stored); 12, 14, 15 and 16 are stored.
        push(11);
        push(12);
        push(13);
        push(14);
        history.last().reply(12, 14, 15);
        channel.runPendingTasks();
        assertThat(received(channel)).containsExactly(11L, 12L, 13L, 14L, 15L);

        push(16);
        push(17); // online-only, after the last stored one
        history.last().reply(16);
        channel.runPendingTasks();

        assertThat(received(channel)).containsExactly(16L, 17L);
        assertFalse(channel.finish());
    }

    @Test
    void anEmptyHistoryGoesLiveAtOnceReleasingWhatWasHeld() {
        EmbeddedChannel channel = resume(KEY, 10);
        push(11);

        history.last().reply();
        channel.runPendingTasks();

        assertThat(received(channel)).containsExactly(11L);
        assertThat(replayer.slots().taken()).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void liveMessagesBeyondTheHoldBoundCloseTheConnectionAsASlowConsumer() {
        EmbeddedChannel channel = resume(KEY, 10);
        for (long mid = 11; mid < 11 + MAX_PENDING; mid++) {
            push(mid);
        }
        assertThat(channel.isOpen()).isTrue();

        push(11 + MAX_PENDING);

        assertThat(channel.isOpen()).isFalse();
        assertThat(metrics.slowConsumers().getCount()).isEqualTo(1);
        channel.runPendingTasks();
        history.last().reply(11, 12);
        channel.runPendingTasks();
        assertThat(received(channel)).isEmpty();
        assertThat(history.fetches()).hasSize(1);
        assertThat(replayer.slots().taken()).isZero();
        assertThat(gauge("active")).isZero();
        assertThat(meter("completed")).isZero();
        assertThat(channels.count(KEY)).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void pagingWaitsWhileTheClientDoesNotReadAndGoesOnOnceItHasRead() {
        EmbeddedChannel channel = resume(KEY, 10);
        StallingOutbound socket = stall(channel);

        history.last().reply(11, 12, 13);
        channel.runPendingTasks();

        // A whole page unread (and the answer), and no room for the next: no fetch, nothing more
        // buffered.
        assertThat(socket.held()).isEqualTo(1 + PAGE);
        assertThat(history.fetches()).hasSize(1);
        assertThat(replayer.slots().taken()).as("a waiting replay holds no slot").isZero();
        channel.writeInbound(bytes("h"));
        assertThat(history.fetches()).hasSize(1);

        socket.drain();
        channel.runPendingTasks();

        assertThat(received(channel)).containsExactly(11L, 12L, 13L);
        assertThat(history.fetches()).hasSize(2);
        assertThat(history.last().after()).isEqualTo(13);
        history.last().reply();
        channel.runPendingTasks();
        assertThat(meter("completed")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void theLastPageIsReadBeforeHeldMessagesAreReleased() {
        EmbeddedChannel channel = resume(KEY, 10);
        StallingOutbound socket = stall(channel);
        push(13);

        history.last().reply(11, 12);
        channel.runPendingTasks();
        assertThat(socket.held()).as("the answer and the page").isEqualTo(3);
        push(14);
        assertThat(socket.held()).as("still held while the last page is unread").isEqualTo(3);

        socket.drain();
        channel.runPendingTasks();
        socket.drain();

        assertThat(received(channel)).containsExactly(11L, 12L, 13L, 14L);
        assertFalse(channel.finish());
    }

    @Test
    void aFailedFetchClosesTheConnectionAndIsCounted() {
        EmbeddedChannel channel = resume(KEY, 10);
        push(11);

        history.last()
                .answer()
                .completeExceptionally(
                        new StatusRuntimeException(
                                Status.UNAVAILABLE.withDescription("no message node answered")));
        channel.runPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(received(channel)).as("nothing skipped: nothing sent").isEmpty();
        assertThat(meter("failures")).isEqualTo(1);
        assertThat(meter("completed")).isZero();
        assertThat(replayer.slots().taken()).isZero();
        assertThat(gauge("active")).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void aConnectionClosedDuringAFetchStopsPagingAndFreesTheSlotWhenTheFetchAnswers() {
        EmbeddedChannel channel = resume(KEY, 10);
        assertThat(replayer.slots().taken()).isEqualTo(1);

        channel.close();
        channel.runPendingTasks();
        assertThat(gauge("active")).isZero();
        history.last().reply(11, 12, 13);
        channel.runPendingTasks();

        assertThat(replayer.slots().taken()).isZero();
        assertThat(history.fetches()).hasSize(1);
        assertThat(received(channel)).isEmpty();
        assertFalse(channel.finish());
    }

    @Test
    void atMostTheBoundOfReplaysFetchAtOnceAndTheNextWaitsItsTurn() {
        EmbeddedChannel first = resume("a", 10);
        EmbeddedChannel second = resume("b", 10);
        EmbeddedChannel third = resume("c", 10);

        assertThat(history.fetches())
                .extracting(ScriptedHistory.Fetch::key)
                .containsExactly("a", "b");
        assertThat(gauge("fetching")).isEqualTo(FETCHES);
        assertThat(gauge("waiting")).isEqualTo(1);
        assertThat(gauge("active")).isEqualTo(3);

        history.fetches().get(0).reply();
        first.runPendingTasks();
        third.runPendingTasks();

        assertThat(history.fetches())
                .extracting(ScriptedHistory.Fetch::key)
                .containsExactly("a", "b", "c");
        assertThat(gauge("fetching")).isEqualTo(FETCHES);
        assertThat(gauge("waiting")).isZero();
        assertThat(Wire.outbound(first)).isEqualTo("+r complete\r\n");
        assertFalse(first.finish());
        assertFalse(second.finish());
        assertFalse(third.finish());
    }

    @Test
    void aConnectionClosedWhileWaitingForASlotLeavesTheQueue() {
        EmbeddedChannel first = resume("a", 10);
        EmbeddedChannel second = resume("b", 10);
        EmbeddedChannel waiting = resume("c", 10);
        assertThat(gauge("waiting")).isEqualTo(1);

        waiting.close();
        waiting.runPendingTasks();

        assertThat(gauge("waiting")).isZero();
        assertThat(gauge("active")).isEqualTo(2);
        history.fetches().get(0).reply();
        first.runPendingTasks();
        waiting.runPendingTasks();
        assertThat(history.fetches()).hasSize(2);
        assertThat(gauge("fetching")).isEqualTo(1);
        assertThat(Wire.outbound(first)).isEqualTo("+r complete\r\n");
        assertFalse(first.finish());
        assertFalse(second.finish());
        assertFalse(waiting.finish());
    }

    // The completeness answer: one frame after +h, before the first replayed message.

    private static String frame(long mid) {
        String json = "{\"msg\":{\"n\":" + mid + "},\"mid\":" + mid + ",\"gid\":0}";
        return "$" + json.length() + "\r\n" + json + "\r\n";
    }

    @Test
    void aSinceAtOrAboveTheFloorIsAnsweredCompleteBeforeTheFirstMessage() {
        EmbeddedChannel channel = resume(KEY, 10);
        push(13); // live, held: must come after the answer and the stored ones

        history.last().replyWithFloor(10, 11, 12);
        channel.runPendingTasks();

        assertThat(Wire.outbound(channel))
                .isEqualTo("+r complete\r\n" + frame(11) + frame(12) + frame(13));
        assertThat(meter("truncated")).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void aSinceBelowTheFloorIsAnsweredTruncatedThenWhatIsStoredFollows() {
        EmbeddedChannel channel = resume(KEY, 10);

        history.last().replyWithFloor(15, 16, 17);
        channel.runPendingTasks();

        assertThat(Wire.outbound(channel)).isEqualTo("+r truncated\r\n" + frame(16) + frame(17));
        assertThat(meter("truncated")).isEqualTo(1);
        push(18);
        assertThat(received(channel)).containsExactly(18L);
        assertFalse(channel.finish());
    }

    @Test
    void aReplyWithoutAFloorIsAnsweredTruncated() {
        EmbeddedChannel channel = resume(KEY, 10);

        history.last().replyWithoutFloor(11);
        channel.runPendingTasks();

        assertThat(Wire.outbound(channel)).isEqualTo("+r truncated\r\n" + frame(11));
        assertFalse(channel.finish());
    }

    @Test
    void anEmptyHistoryIsAnsweredToo() {
        EmbeddedChannel channel = resume(KEY, 10);

        history.last().reply();
        channel.runPendingTasks();

        assertThat(Wire.outbound(channel)).isEqualTo("+r complete\r\n");
        push(11);
        assertThat(Wire.outbound(channel)).isEqualTo(frame(11));
        assertFalse(channel.finish());
    }

    @Test
    void aLaterPageFindingUnreadMessagesGoneClosesTheConnection() {
        EmbeddedChannel channel = resume(KEY, 10);
        history.last().replyWithFloor(0, 11, 12, 13);
        channel.runPendingTasks();
        assertThat(Wire.outbound(channel))
                .isEqualTo("+r complete\r\n" + frame(11) + frame(12) + frame(13));

        // Trimmed meanwhile up to 20: 14..20 may be gone, but "complete" was said.
        history.last().replyWithFloor(20, 21, 22);
        channel.runPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(received(channel)).as("nothing after the gap").isEmpty();
        assertThat(meter("truncatedLater")).isEqualTo(1);
        assertThat(meter("failures")).isEqualTo(1);
        assertThat(gauge("active")).isZero();
    }

    @Test
    void aLaterPageWhoseFloorIsBelowTheLastReplayedMidGoesOn() {
        EmbeddedChannel channel = resume(KEY, 10);
        history.last().replyWithFloor(0, 11, 12, 13);
        channel.runPendingTasks();
        Wire.outbound(channel);

        history.last().replyWithFloor(13, 14);
        channel.runPendingTasks();

        assertThat(Wire.outbound(channel)).isEqualTo(frame(14)).doesNotContain("+r");
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finish());
    }

    @Test
    void heartbeatsAreAnsweredWhileAReplayRuns() {
        EmbeddedChannel channel = resume(KEY, 10);

        channel.writeInbound(bytes("hh"));

        assertThat(Wire.outbound(channel)).isEqualTo("+h\r\n+h\r\n");
        history.last().reply(11);
        channel.runPendingTasks();
        channel.writeInbound(bytes("h"));
        assertThat(Wire.outbound(channel))
                .isEqualTo(
                        "+r complete\r\n"
                                + "$33\r\n{\"msg\":{\"n\":11},\"mid\":11,\"gid\":0}\r\n"
                                + "+h\r\n");
        assertFalse(channel.finish());
    }

    @Test
    void aSubscriptionWithoutSinceReadsNothing() {
        EmbeddedChannel channel =
                new EmbeddedChannel(
                        new TcpInitializer(
                                settings, new KeyChannelsGate(channels), replayer, metrics));
        channel.writeInbound(bytes(request("sub", KEY, "30", "", "1")));
        channel.runPendingTasks();
        push(11);

        // No completeness answer either: exactly +h, then the message.
        assertThat(Wire.outbound(channel))
                .isEqualTo("+h\r\n$33\r\n{\"msg\":{\"n\":11},\"mid\":11,\"gid\":0}\r\n");
        assertThat(history.fetches()).isEmpty();
        assertThat(meter("started")).isZero();
        assertFalse(channel.finish());
    }
}
