package io.pushbase.store.cursor;

/**
 * One acknowledgement: {@code device} of {@code key} has processed every message up to {@code mid}.
 * Not checked here: {@link CursorLimits#check} does it where an ack enters the store.
 */
public record Ack(String key, String device, long mid) {}
