package io.pushbase.comet.push;

import java.util.List;

/**
 * What a multi-key push did, per key: each key not listed went through and was delivered.
 *
 * @param failedKeys keys whose push failed (not acknowledged; the caller may store them itself)
 * @param duplicateKeys keys whose push was recognised as a retry of one appended before (their
 *     claim held a mid already, as {@link Pushed#duplicate()}): neither stored nor delivered now
 */
public record PushedMany(List<String> failedKeys, List<String> duplicateKeys) {
    public PushedMany {
        failedKeys = List.copyOf(failedKeys);
        duplicateKeys = List.copyOf(duplicateKeys);
    }
}
