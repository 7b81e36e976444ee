package io.pushbase.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HashRingTest {
    private static final int KEYS = 100_000;

    private static String key(int i) {
        return "user:" + i;
    }

    private static Map<String, Integer> equalWeights(int nodes) {
        Map<String, Integer> weights = new HashMap<>();
        for (int i = 1; i <= nodes; i++) {
            weights.put("comet-" + i, 1);
        }
        return weights;
    }

    @Test
    void placementIsPinnedBecauseWebAndCometNodesMustAgreeOnIt() {
        // These owners were computed once from this implementation and are pinned on purpose:
        // web nodes route pushes and answer /server/get by the ring, comets keep only the keys
        // the ring gives them, and both may run different builds during a rolling upgrade. A
        // change that moves any of these keys changes the on-the-wire placement; it must be a
        // deliberate, cluster-wide migration, not a refactoring accident.
        HashRing ring = HashRing.of(Map.of("comet-1", 1, "comet-2", 2, "comet-3", 1));

        assertThat(ring.nodeFor("Terry-Mao")).hasValue("comet-1");
        assertThat(ring.nodeFor("device-7f3a")).hasValue("comet-1");
        assertThat(ring.nodeFor("user:1")).hasValue("comet-2");
        assertThat(ring.nodeFor("room:lobby")).hasValue("comet-2");
        assertThat(ring.nodeFor("日本語")).hasValue("comet-2");
        assertThat(ring.nodeFor("user:6")).hasValue("comet-3");
        assertThat(ring.nodeFor("")).hasValue("comet-3");
        // Hashes above the ring's highest point (which comet-1 holds) wrap around to the lowest
        // point (comet-2's).
        assertThat(ring.nodeFor("user:37")).hasValue("comet-2");
    }

    @Test
    void keyHashIsTheFirstFourMd5BytesReadLittleEndian() {
        // Known digests, not computed by this code: MD5("") = d41d8cd9..., MD5("a") = 0cc175b9...
        assertThat(HashRing.keyHash("")).isEqualTo(0xd98c1dd4L);
        assertThat(HashRing.keyHash("a")).isEqualTo(0xb975c10cL);
    }

    @Test
    void ringsBuiltFromTheSameWeightsInAnyOrderPlaceEveryKeyTheSame() {
        Map<String, Integer> forward = new LinkedHashMap<>();
        Map<String, Integer> backward = new LinkedHashMap<>();
        List<String> names = List.of("a", "b", "c", "d", "e");
        for (int i = 0; i < names.size(); i++) {
            forward.put(names.get(i), i + 1);
            backward.put(names.get(names.size() - 1 - i), names.size() - i);
        }
        HashRing one = HashRing.of(forward);
        HashRing other = HashRing.of(backward);

        assertThat(one).isEqualTo(other);
        for (int i = 0; i < 10_000; i++) {
            assertThat(one.nodeFor(key(i))).isEqualTo(other.nodeFor(key(i)));
        }
    }

    @Test
    void emptyRingOwnsNothing() {
        assertThat(HashRing.empty().nodeFor("anything")).isEmpty();
        assertThat(HashRing.of(Map.of()).nodeFor("anything")).isEmpty();
        assertThat(HashRing.of(Map.of()).isEmpty()).isTrue();
    }

    @Test
    void eachNodeGetsOneHundredSixtyPointsPerUnitOfWeight() {
        assertThat(HashRing.of(Map.of("a", 1)).pointCount()).isEqualTo(160);
        assertThat(HashRing.of(Map.of("a", 1, "b", 3)).pointCount()).isEqualTo(4 * 160);
    }

    @Test
    void aSingleNodeOwnsEveryKey() {
        HashRing ring = HashRing.of(Map.of("only", 1));
        for (int i = 0; i < 1_000; i++) {
            assertThat(ring.nodeFor(key(i))).hasValue("only");
        }
    }

    @Test
    void keysAreSharedInProportionToWeight() {
        HashRing ring = HashRing.of(Map.of("light", 1, "heavy", 3));
        int light = 0;
        for (int i = 0; i < KEYS; i++) {
            if (ring.nodeFor(key(i)).orElseThrow().equals("light")) {
                light++;
            }
        }
        double share = (double) light / KEYS;
        assertThat(share).as("share of the weight-1 node").isCloseTo(0.25, within(0.025));
        assertThat(1 - share).as("share of the weight-3 node").isCloseTo(0.75, within(0.075));
    }

    @Test
    void addingANodeMovesOnlyKeysToTheNewNodeAndAboutOneInNPlusOne() {
        Map<String, Integer> four = equalWeights(4);
        Map<String, Integer> five = equalWeights(5);
        HashRing before = HashRing.of(four);
        HashRing after = HashRing.of(five);

        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            String was = before.nodeFor(key(i)).orElseThrow();
            String is = after.nodeFor(key(i)).orElseThrow();
            if (!was.equals(is)) {
                assertThat(is).as("new owner of moved key %s", key(i)).isEqualTo("comet-5");
                moved++;
            }
        }
        assertThat((double) moved / KEYS).as("share of keys moved").isCloseTo(0.20, within(0.05));
    }

    @Test
    void removingANodeMovesOnlyThatNodesKeys() {
        HashRing before = HashRing.of(equalWeights(5));
        Map<String, Integer> four = equalWeights(5);
        four.remove("comet-3");
        HashRing after = HashRing.of(four);

        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            String was = before.nodeFor(key(i)).orElseThrow();
            String is = after.nodeFor(key(i)).orElseThrow();
            if (was.equals("comet-3")) {
                assertThat(is).isNotEqualTo("comet-3");
                moved++;
            } else {
                assertThat(is).as("owner of %s, not on the removed node", key(i)).isEqualTo(was);
            }
        }
        assertThat((double) moved / KEYS).as("share of keys moved").isCloseTo(0.20, within(0.05));
    }

    @Test
    void weightsOutsideTheAllowedRangeAndEmptyNamesAreRejected() {
        assertThatThrownBy(() -> HashRing.of(Map.of("a", 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weight of node a");
        assertThatThrownBy(() -> HashRing.of(Map.of("a", HashRing.MAX_WEIGHT + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HashRing.of(Map.of("", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
    }
}
