package io.pushbase.comet.codec;

import static io.pushbase.comet.testing.Wire.EXAMPLE_SUB;
import static io.pushbase.comet.testing.Wire.bytes;
import static io.pushbase.comet.testing.Wire.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.embedded.EmbeddedChannel;
import io.pushbase.comet.testing.Wire;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RespRequestDecoderTest {

    @Test
    void decodesTheProtocolExample() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());

        channel.writeInbound(bytes(EXAMPLE_SUB));

        assertThat((RespRequest) channel.readInbound())
                .isEqualTo(RespRequest.of("sub", "Terry-Mao", "30"));
        assertFalse(channel.finish());
    }

    @Test
    void decodesAVersionWithAnEmptyTokenArgument() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());
        String sub = "*5\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$2\r\n30\r\n$0\r\n\r\n$5\r\n1.0.0\r\n";

        channel.writeInbound(bytes(sub));

        RespRequest request = channel.readInbound();
        assertThat(request.args()).containsExactly("sub", "Terry-Mao", "30", "", "1.0.0");
        assertFalse(channel.finish());
    }

    @Test
    void decodesTheExampleSplitAtEveryBytePosition() {
        byte[] sub = EXAMPLE_SUB.getBytes(StandardCharsets.US_ASCII);
        for (int split = 1; split < sub.length; split++) {
            EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());

            channel.writeInbound(Wire.bytes(java.util.Arrays.copyOfRange(sub, 0, split)));
            assertThat(channel.<Object>readInbound()).as("after %d bytes", split).isNull();
            channel.writeInbound(Wire.bytes(java.util.Arrays.copyOfRange(sub, split, sub.length)));

            assertThat((RespRequest) channel.readInbound())
                    .as("split at %d", split)
                    .isEqualTo(RespRequest.of("sub", "Terry-Mao", "30"));
            assertFalse(channel.finish());
        }
    }

    @Test
    void decodesARequestArrivingOneByteAtATime() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());

        Wire.writeByteByByte(channel, request("sub", "käy", "30", "tok", "2"));

        assertThat((RespRequest) channel.readInbound())
                .isEqualTo(RespRequest.of("sub", "käy", "30", "tok", "2"));
        assertFalse(channel.finish());
    }

    @Test
    void acceptsOneToSixArguments() {
        // gopush-cluster's 1 to 5, and Pushbase's sixth (since).
        for (int argc = 1; argc <= 6; argc++) {
            String[] args = new String[argc];
            java.util.Arrays.fill(args, "a");
            EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());

            channel.writeInbound(bytes(request(args)));

            assertThat(((RespRequest) channel.readInbound()).args()).hasSize(argc);
            assertFalse(channel.finish());
        }
    }

    @Test
    void readsABulkStringByItsLengthSoItMayHoldALineFeed() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());

        channel.writeInbound(bytes("*1\r\n$3\r\na\nb\r\n"));

        assertThat(((RespRequest) channel.readInbound()).args()).containsExactly("a\nb");
        assertFalse(channel.finish());
    }

    @Test
    void acceptsLeadingZerosAsGopushClusterDid() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());

        channel.writeInbound(bytes("*01\r\n$003\r\nsub\r\n"));

        assertThat(((RespRequest) channel.readInbound()).args()).containsExactly("sub");
        assertFalse(channel.finish());
    }

    @Test
    void acceptsABulkStringOfExactlyTheLimit() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());
        String token = "t".repeat(RespRequestDecoder.DEFAULT_MAX_BULK_LENGTH);

        channel.writeInbound(bytes(request("sub", "k", "30", token)));

        assertThat(((RespRequest) channel.readInbound()).arg(3)).isEqualTo(token);
        assertFalse(channel.finish());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
            strings = {
                // first line not starting with '*'
                "$3\r\nsub\r\n",
                "sub Terry-Mao 30\r\n",
                "h",
                " *1\r\n",
                "+OK\r\n",
                // bad *N
                "*x\r\n",
                "*\r\n",
                "*-1\r\n",
                "*+1\r\n",
                "*1x\r\n",
                "* 1\r\n",
                // argc outside 1..6
                "*0\r\n",
                "*8\r\n",
                "*10\r\n",
                "*99999999999999999999\r\n",
                // missing CR or LF on a *N / $N line
                "*1\n$3\r\nsub\r\n",
                "*1\r$3\r\nsub\r\n",
                "*1\r\n$3\nsub\r\n",
                "*1\r\n$3\rsub\r\n",
                // bulk line not starting with '$'
                "*1\r\n*3\r\nsub\r\n",
                "*1\r\n3\r\nsub\r\n",
                // bad $len
                "*1\r\n$x\r\nsub\r\n",
                "*1\r\n$\r\nsub\r\n",
                "*1\r\n$-1\r\n",
                "*1\r\n$+3\r\nsub\r\n",
                "*1\r\n$3 \r\nsub\r\n",
                // $len not matching the data: missing CR or LF after it
                "*1\r\n$3\r\nsubs\r\n",
                "*1\r\n$3\r\nsu\r\n\r\n",
                "*1\r\n$3\r\nsub\n\r\n",
                "*1\r\n$3\r\nsub\rx",
                "*1\r\n$3\r\nsub\r\r",
                // oversized bulk, and a line longer than the limit
                "*1\r\n$2049\r\n",
                "*1\r\n$99999999999\r\n",
                "*1\r\n$00000000000003\r\nsub\r\n",
            })
    void closesOnMalformedInput(String input) {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());

        assertThatThrownBy(() -> channel.writeInbound(bytes(input)))
                .isInstanceOf(RespDecoderException.class);

        assertFalse(channel.finish());
    }

    @Test
    void rejectsABadFirstByteWithoutWaitingForMore() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());

        assertThatThrownBy(() -> channel.writeInbound(bytes("G")))
                .isInstanceOf(RespDecoderException.class)
                .hasMessageContaining("expected '*' but got 'G'");

        assertFalse(channel.finish());
    }

    @Test
    void rejectsAnOversizedBulkBeforeReceivingItsData() {
        EmbeddedChannel channel =
                new EmbeddedChannel(
                        new RespRequestDecoder(100, RespRequestDecoder.DEFAULT_MAX_LINE_LENGTH));
        channel.writeInbound(bytes("*1\r\n$10"));

        assertThatThrownBy(() -> channel.writeInbound(bytes("1")))
                .isInstanceOf(RespDecoderException.class)
                .hasMessageContaining("bulk length above 100");

        assertFalse(channel.finish());
    }

    @Test
    void honoursAConfiguredLineLimit() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder(2048, 6));
        channel.writeInbound(bytes("*1\r\n$10\r\n0123456789\r\n"));
        assertThat(((RespRequest) channel.readInbound()).args()).containsExactly("0123456789");
        assertFalse(channel.finish());

        EmbeddedChannel strict = new EmbeddedChannel(new RespRequestDecoder(2048, 6));
        assertThatThrownBy(() -> strict.writeInbound(bytes("*1\r\n$0010\r\n")))
                .isInstanceOf(RespDecoderException.class)
                .hasMessageContaining("longer than 6 bytes");
        assertFalse(strict.finish());
    }

    @Test
    void holdsAtMostOneAnnouncedBulkStringWhileWaiting() {
        RespRequestDecoder decoder = new RespRequestDecoder();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);

        channel.writeInbound(bytes("*1\r\n$2048\r\n" + "x".repeat(2047)));
        assertThat(decoder.bufferedBytes()).isEqualTo(2047);

        channel.writeInbound(bytes("x"));
        assertThat(decoder.bufferedBytes()).isEqualTo(2048);
        channel.writeInbound(bytes("\r"));
        assertThat(decoder.bufferedBytes()).isEqualTo(2049);
        assertThat(channel.<Object>readInbound()).isNull();
        channel.writeInbound(bytes("\n"));
        assertThat(((RespRequest) channel.readInbound()).arg(0)).hasSize(2048);
        assertThat(decoder.bufferedBytes()).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void discardsInputAfterAViolation() {
        RespRequestDecoder decoder = new RespRequestDecoder();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        assertThatThrownBy(() -> channel.writeInbound(bytes("*9\r\n$3\r\nsub\r\n")))
                .isInstanceOf(RespDecoderException.class);

        channel.writeInbound(bytes(EXAMPLE_SUB));

        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(decoder.bufferedBytes()).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void emitsOneRequestAndDiscardsWhatFollowsIfLeftInPlace() {
        // Normally the subscribe handler replaces the decoder; if it refused and is closing the
        // connection instead, nothing after the request is decoded or kept.
        RespRequestDecoder decoder = new RespRequestDecoder();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);

        channel.writeInbound(bytes(EXAMPLE_SUB + EXAMPLE_SUB + "hh"));

        assertThat((RespRequest) channel.readInbound()).isNotNull();
        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(decoder.bufferedBytes()).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void decodesArgumentsAsUtf8() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());

        channel.writeInbound(bytes(request("sub", "用户-42", "30")));

        assertThat(((RespRequest) channel.readInbound()).args())
                .isEqualTo(List.of("sub", "用户-42", "30"));
        assertFalse(channel.finish());
    }
}
