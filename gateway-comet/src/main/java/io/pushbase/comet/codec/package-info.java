/**
 * The comet's wire codecs (docs/PROTOCOL.md sections 3 and 5): {@link
 * io.pushbase.comet.codec.RespRequestDecoder} for the TCP client's one RESP request, {@link
 * io.pushbase.comet.codec.CommandDecoder} for the single-byte heartbeats and (Pushbase) the
 * commands after it (both, and a WebSocket text frame's request, parsed by one {@link
 * io.pushbase.comet.codec.RespArrayParser}), the fixed {@link io.pushbase.comet.codec.Reply
 * replies}, and the encoders that frame a pushed message for TCP ({@code $len\r\n<json>\r\n}) and
 * WebSocket (one text frame).
 *
 * <p>Every framing violation is a {@link io.pushbase.comet.codec.RespDecoderException}, which the
 * pipeline answers by closing the connection without a reply. Decoders check their hard limits
 * before buffering anything, so no input makes them hold more than a bounded number of bytes.
 */
package io.pushbase.comet.codec;
