package io.pushbase.web.comet;

import io.pushbase.web.comet.CometDirectory.CometNode;
import java.util.Optional;

/**
 * Which comet owns a key now. {@link CometDirectory} answers from the ring over the live comets;
 * the push router needs only this question. Implementations answer from memory, without blocking,
 * from any thread.
 */
@FunctionalInterface
public interface CometOwners {

    /** The comet that owns {@code key} now, or empty when no comet is live. */
    Optional<CometNode> ownerOf(String key);
}
