package io.pushbase.comet.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Feeds the decoder arbitrary bytes, valid requests and valid requests with one byte changed, cut
 * into arbitrary reads. Whatever arrives, the decoder emits a well-formed request, waits, or throws
 * {@link RespDecoderException} — never anything else — and never holds back more than one bulk
 * string of the limit.
 */
class RespRequestDecoderFuzzTest {
    /** Small, so that random input reaches the limit often. */
    private static final int MAX_BULK = 64;

    private static final int MAX_LINE = 8;

    @Property(tries = 2000)
    void arbitraryBytesNeverBreakTheDecoder(
            @ForAll @Size(max = 300) byte[] input, @ForAll("cuts") List<Integer> cuts) {
        feed(biased(input), cuts);
    }

    @Property(tries = 1000)
    void validRequestsDecodeToTheirArgumentsWhereverTheyAreCut(
            @ForAll("requests") List<byte[]> args, @ForAll("cuts") List<Integer> cuts) {
        Outcome outcome = feed(encode(args), cuts);

        assertThat(outcome.failure).isNull();
        assertThat(outcome.requests).hasSize(1);
        List<String> expected = new ArrayList<>();
        for (byte[] arg : args) {
            expected.add(new String(arg, StandardCharsets.UTF_8));
        }
        assertThat(outcome.requests.get(0).args()).isEqualTo(expected);
    }

    @Property(tries = 1000)
    void oneChangedByteIsDecodedRejectedOrAwaitedNeverWorse(
            @ForAll("requests") List<byte[]> args,
            @ForAll @IntRange(min = 0, max = 10_000) int position,
            @ForAll byte replacement,
            @ForAll("cuts") List<Integer> cuts) {
        byte[] input = encode(args);
        input[position % input.length] = replacement;

        feed(input, cuts);
    }

    /** Mostly protocol bytes, so random input gets past the first line now and then. */
    private static byte[] biased(byte[] input) {
        byte[] alphabet = "*$\r\n0123456789h".getBytes(StandardCharsets.US_ASCII);
        byte[] out = input.clone();
        for (int i = 0; i < out.length; i++) {
            if ((out[i] & 0x80) == 0) {
                out[i] = alphabet[(out[i] & 0x7f) % alphabet.length];
            }
        }
        return out;
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(1, 40).list().ofMaxSize(20);
    }

    @Provide
    Arbitrary<List<byte[]>> requests() {
        Arbitrary<byte[]> ascii =
                Arbitraries.strings()
                        .ascii()
                        .ofMaxLength(MAX_BULK)
                        .map(s -> s.getBytes(StandardCharsets.US_ASCII));
        // No surrogates, so every string round-trips through UTF-8; at most 3 bytes a char.
        Arbitrary<byte[]> unicode =
                Arbitraries.strings()
                        .withCharRange('\u0000', '\ud7ff')
                        .ofMaxLength(MAX_BULK / 3)
                        .map(s -> s.getBytes(StandardCharsets.UTF_8));
        return Arbitraries.oneOf(ascii, unicode)
                .list()
                .ofMinSize(1)
                .ofMaxSize(RespRequestDecoder.MAX_ARGS);
    }

    private static byte[] encode(List<byte[]> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] arg : args) {
            out.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(arg);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private record Outcome(List<RespRequest> requests, RespDecoderException failure) {}

    /** Writes {@code input} in reads of the given sizes (the rest in one read), checking each. */
    private static Outcome feed(byte[] input, List<Integer> cuts) {
        RespRequestDecoder decoder = new RespRequestDecoder(MAX_BULK, MAX_LINE);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        List<RespRequest> requests = new ArrayList<>();
        RespDecoderException failure = null;
        int offset = 0;
        for (int i = 0; offset < input.length; i++) {
            int size = i < cuts.size() ? cuts.get(i) : input.length - offset;
            size = Math.min(size, input.length - offset);
            try {
                channel.writeInbound(Unpooled.wrappedBuffer(input, offset, size));
            } catch (RespDecoderException e) {
                failure = e;
                // Anything else escapes and fails the property.
            }
            offset += size;
            assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(MAX_BULK + 2);
            for (Object msg; (msg = channel.readInbound()) != null; ) {
                RespRequest request = (RespRequest) msg;
                assertThat(request.args()).hasSizeBetween(1, RespRequestDecoder.MAX_ARGS);
                for (String arg : request.args()) {
                    // Invalid UTF-8 decodes to U+FFFD, three bytes for one: bound by chars.
                    assertThat(arg.length()).isLessThanOrEqualTo(MAX_BULK);
                }
                requests.add(request);
            }
        }
        assertThat(requests).hasSizeLessThanOrEqualTo(1);
        if (failure != null) {
            assertThat(requests).as("a request and a failure").isEmpty();
        }
        assertThat(channel.finish()).isFalse();
        return new Outcome(requests, failure);
    }
}
