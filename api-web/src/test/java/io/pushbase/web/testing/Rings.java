package io.pushbase.web.testing;

import io.pushbase.cluster.ring.HashRing;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names the web node's ring places on a chosen comet, for tests that need a key or a room owned by
 * one comet (now, and after a ring change). Stateless.
 */
public final class Rings {
    private Rings() {}

    /** The ring of {@code comets}, each of weight 1, as {@link WebTestCluster} starts them. */
    public static HashRing of(String... comets) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (String comet : comets) {
            weights.put(comet, 1);
        }
        return HashRing.of(weights);
    }

    /** The first {@code prefix-<n>} that every ring of {@code rings} places on {@code node}. */
    public static String nameOn(String prefix, String node, HashRing... rings) {
        if (rings.length == 0) {
            throw new IllegalArgumentException("no ring to place " + prefix + " on");
        }
        for (int i = 0; ; i++) {
            String name = prefix + "-" + i;
            boolean everywhere = true;
            for (HashRing ring : rings) {
                everywhere &= ring.nodeFor(name).orElseThrow().equals(node);
            }
            if (everywhere) {
                return name;
            }
        }
    }
}
