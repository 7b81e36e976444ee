package io.pushbase.schema;

/**
 * ZooKeeper paths and service names every node agrees on. All paths live under one root (default
 * {@value #DEFAULT_ROOT}) so several Pushbase clusters can share an ensemble.
 *
 * <p>Immutable and thread-safe.
 */
public final class ZkPaths {
    /** Default root of every Pushbase znode. */
    public static final String DEFAULT_ROOT = "/pushbase";

    /** Curator service-discovery name of message nodes. */
    public static final String SERVICE_MESSAGE = "message";

    /** Curator service-discovery name of comet nodes (leaders only). */
    public static final String SERVICE_COMET = "comet";

    /** Curator service-discovery name of web nodes. */
    public static final String SERVICE_WEB = "web";

    private final String root;

    private ZkPaths(String root) {
        this.root = root;
    }

    /**
     * Paths under {@code root}.
     *
     * @throws IllegalArgumentException if root does not start with '/' or ends with one
     */
    public static ZkPaths under(String root) {
        if (root == null || !root.startsWith("/") || (root.length() > 1 && root.endsWith("/"))) {
            throw new IllegalArgumentException(
                    "ZooKeeper root must start with '/' and not end with one: " + root);
        }
        return new ZkPaths(root);
    }

    public String root() {
        return root;
    }

    /** Base path of Curator service discovery ({@code <root>/services/<name>/<id>}). */
    public String discovery() {
        return root + "/services";
    }

    /** Parent of every comet node name's leader election. */
    public String cometLeaders() {
        return root + "/comet-leaders";
    }

    /** Leader-election path of the comets that share {@code nodeName}. */
    public String cometLeader(String nodeName) {
        return cometLeaders() + "/" + nodeName;
    }
}
