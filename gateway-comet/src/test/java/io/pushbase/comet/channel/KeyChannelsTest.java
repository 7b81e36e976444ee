package io.pushbase.comet.channel;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.Subscription;
import org.junit.jupiter.api.Test;

class KeyChannelsTest {
    private final MetricRegistry metrics = new MetricRegistry();
    private final KeyChannels channels = new KeyChannels(2, metrics);

    private ChannelSubscriber subscriber(EmbeddedChannel ch, String key) {
        return new ChannelSubscriber(
                ch, new Subscription(key, 30, "", ""), 120, metrics.counter("slow"));
    }

    @Test
    void aKeyTakesAtMostItsLimitOfConnectionsAndFreesTheSlotOnClose() {
        EmbeddedChannel c1 = new EmbeddedChannel();
        EmbeddedChannel c2 = new EmbeddedChannel();
        EmbeddedChannel c3 = new EmbeddedChannel();
        assertThat(channels.add(subscriber(c1, "k"))).isTrue();
        assertThat(channels.add(subscriber(c2, "k"))).isTrue();
        assertThat(channels.add(subscriber(c3, "k"))).isFalse();
        assertThat(metrics.counter("comet.channel.full").getCount()).isEqualTo(1);
        assertThat(channels.count("k")).isEqualTo(2);

        c1.close();
        assertThat(channels.count("k")).isEqualTo(1);
        assertThat(channels.add(subscriber(c3, "k"))).isTrue();
        c2.close();
        c3.close();
        assertThat(channels.count("k")).isZero();
        assertThat(channels.channelCount()).isZero();
        assertThat(channels.connectionCount()).isZero();
    }

    @Test
    void closeWhereClosesOnlyTheKeysThatLeave() {
        EmbeddedChannel stays = new EmbeddedChannel();
        EmbeddedChannel leaves = new EmbeddedChannel();
        channels.add(subscriber(stays, "mine"));
        channels.add(subscriber(leaves, "moved"));
        assertThat(channels.closeWhere(key -> key.equals("moved"))).isEqualTo(1);
        assertThat(leaves.isOpen()).isFalse();
        assertThat(stays.isOpen()).isTrue();
        assertThat(channels.subscribers("moved")).isEmpty();
        assertThat(channels.connectionCount()).isEqualTo(1);
        stays.close();
    }

    @Test
    void anAlreadyClosedConnectionDoesNotLinger() {
        EmbeddedChannel closed = new EmbeddedChannel();
        ChannelSubscriber sub = subscriber(closed, "k");
        closed.close();
        channels.add(sub);
        assertThat(channels.count("k")).isZero();
        assertThat(channels.connectionCount()).isZero();
    }
}
