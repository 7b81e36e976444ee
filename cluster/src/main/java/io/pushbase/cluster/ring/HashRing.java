package io.pushbase.cluster.ring;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A weighted consistent-hash ring, libketama style: which node name owns a key. Web nodes answer
 * lookups and route pushes by it, comets close connections of keys they no longer own; each builds
 * its own ring from the live node names and weights it sees, so the placement below is part of the
 * cluster's contract - every JVM, every version, must compute the same owner for the same input. It
 * therefore uses only MD5 and byte arithmetic, never {@code Object.hashCode} or randomness.
 *
 * <p>Placement:
 *
 * <ul>
 *   <li>A node of weight {@code w} gets {@code w * }{@value #POINTS_PER_WEIGHT} points: for {@code
 *       i} in {@code 0 .. w*40-1}, the MD5 digest of the UTF-8 bytes of {@code "<name>#<i>"} yields
 *       four points, its bytes 0-3, 4-7, 8-11 and 12-15, each read as an unsigned little-endian
 *       32-bit integer (byte 0 lowest, libketama's order).
 *   <li>A key hashes to the first four bytes of the MD5 digest of its UTF-8 bytes, read the same
 *       way (libketama's {@code ketama_hashi}).
 *   <li>The key belongs to the node of the first point at or after its hash, clockwise, wrapping
 *       around to the lowest point. Should two nodes land on the same point, the name that sorts
 *       first ({@link String#compareTo}) keeps it, so ties do not depend on map order.
 * </ul>
 *
 * <p>Immutable and thread-safe. Membership changes build a new ring ({@code O(P log P)} for {@code
 * P} points, a few milliseconds for a hundred nodes); a lookup is one MD5 and a binary search.
 */
public final class HashRing {
    /**
     * Virtual points per unit of weight: libketama's 160 (40 digests of 4 points). Enough that
     * nodes of equal weight own shares within a few percent of each other; few enough that a ring
     * of a hundred nodes is ~16,000 points. Changing it moves keys between nodes: web and comet
     * nodes running different values would disagree about owners.
     */
    public static final int POINTS_PER_WEIGHT = 160;

    /** Largest weight accepted, so a typo cannot build a ring of millions of points. */
    public static final int MAX_WEIGHT = 1000;

    private static final int POINTS_PER_DIGEST = 4;

    private static final HashRing EMPTY = new HashRing(Map.of());

    private final Map<String, Integer> weights;
    // Parallel arrays sorted by point: points[i] (unsigned 32-bit value in a long) belongs to
    // owners[i]. Points are distinct; a collision was resolved at build time.
    private final long[] points;
    private final String[] owners;

    private HashRing(Map<String, Integer> weights) {
        this.weights = Collections.unmodifiableMap(new TreeMap<>(weights));
        List<Point> all = new ArrayList<>();
        for (Map.Entry<String, Integer> node : this.weights.entrySet()) {
            addPoints(node.getKey(), node.getValue(), all);
        }
        all.sort(Comparator.comparingLong(Point::value).thenComparing(Point::owner));
        long[] values = new long[all.size()];
        String[] names = new String[all.size()];
        int n = 0;
        for (Point p : all) {
            if (n > 0 && values[n - 1] == p.value()) {
                continue; // same point as a name that sorts first: that one keeps it
            }
            values[n] = p.value();
            names[n] = p.owner();
            n++;
        }
        this.points = Arrays.copyOf(values, n);
        this.owners = Arrays.copyOf(names, n);
    }

    /** The ring with no nodes: every lookup answers empty. */
    public static HashRing empty() {
        return EMPTY;
    }

    /**
     * The ring of {@code weights} (node name to weight). The map's iteration order does not matter.
     *
     * @throws IllegalArgumentException if a name is empty or a weight is outside 1..{@value
     *     #MAX_WEIGHT}
     */
    public static HashRing of(Map<String, Integer> weights) {
        Objects.requireNonNull(weights, "weights");
        for (Map.Entry<String, Integer> node : weights.entrySet()) {
            String name = Objects.requireNonNull(node.getKey(), "node name");
            Integer weight = node.getValue();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("node name must not be empty");
            }
            if (weight == null || weight < 1 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException(
                        "weight of node " + name + " must be 1.." + MAX_WEIGHT + ", got " + weight);
            }
        }
        return weights.isEmpty() ? EMPTY : new HashRing(weights);
    }

    /** The node that owns {@code key}; empty only when the ring has no nodes. */
    public Optional<String> nodeFor(String key) {
        Objects.requireNonNull(key, "key");
        if (points.length == 0) {
            return Optional.empty();
        }
        int i = Arrays.binarySearch(points, keyHash(key));
        if (i < 0) {
            i = -i - 1; // insertion point: the first point above the hash
        }
        return Optional.of(owners[i == points.length ? 0 : i]);
    }

    /** Node names and weights the ring was built from, sorted by name. */
    public Map<String, Integer> weights() {
        return weights;
    }

    public boolean isEmpty() {
        return weights.isEmpty();
    }

    /** Points on the ring (after the rare collision is resolved). */
    int pointCount() {
        return points.length;
    }

    /** The key's position on the ring: first four MD5 bytes, unsigned little-endian. */
    static long keyHash(String key) {
        return unsignedLittleEndian(md5(key), 0);
    }

    private static void addPoints(String name, int weight, List<Point> out) {
        int digests = weight * POINTS_PER_WEIGHT / POINTS_PER_DIGEST;
        for (int i = 0; i < digests; i++) {
            byte[] digest = md5(name + "#" + i);
            for (int j = 0; j < POINTS_PER_DIGEST; j++) {
                out.add(new Point(unsignedLittleEndian(digest, 4 * j), name));
            }
        }
    }

    private static byte[] md5(String s) {
        try {
            // A fresh digest per call: MessageDigest is not thread-safe and the lookup is cheap
            // next to the hashing itself.
            return MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide MD5", e);
        }
    }

    private static long unsignedLittleEndian(byte[] b, int offset) {
        return (b[offset] & 0xFFL)
                | (b[offset + 1] & 0xFFL) << 8
                | (b[offset + 2] & 0xFFL) << 16
                | (b[offset + 3] & 0xFFL) << 24;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HashRing r && r.weights.equals(weights);
    }

    @Override
    public int hashCode() {
        return weights.hashCode();
    }

    @Override
    public String toString() {
        return "HashRing" + weights;
    }

    private record Point(long value, String owner) {}
}
