package io.pushbase.store;

/**
 * Outcome of {@link MessageStore#append}.
 *
 * @param appended true when the requested mid was taken by this claim (now or by an earlier attempt
 *     with the same claim); false when a mid at least as large was taken before
 * @param head the key's largest taken mid after the call
 */
public record AppendResult(boolean appended, long head) {}
