package io.pushbase.store;

/**
 * One entry of {@link MessageStore#appendMany}: the arguments of one {@link MessageStore#append}.
 * The arrays are not copied; the caller must not modify them until the call completes.
 *
 * @param claim 1..32 bytes identifying the push (its retries carry the same claim)
 * @param expireSeconds 0 = online only: take the mid, store nothing
 */
public record AppendEntry(String key, long mid, byte[] claim, byte[] payload, long expireSeconds) {}
