package io.pushbase.web.comet;

import io.pushbase.schema.ZkPaths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Every comet process ZooKeeper knows of through the leader elections ({@code
 * <root>/comet-leaders/<nodeName>}): leaders and standbys, including a leader whose discovery
 * registration is missing for a moment — processes the comet service's discovery view does not
 * list. The cluster view and presence read them on each call.
 *
 * <p>Each {@link #read()} reads ZooKeeper synchronously (one listing per node name and one read per
 * participant): for admin routes, not for clients. Thread-safe; borrows the Curator client.
 * Failure: a ZooKeeper error other than a vanished znode is thrown to the caller.
 */
public final class CometElections {
    private final CuratorFramework zk;
    private final ZkPaths paths;

    public CometElections(CuratorFramework zk, ZkPaths paths) {
        this.zk = zk;
        this.paths = paths;
    }

    /**
     * Node name (sorted) -> election participant ids, the elected one first (Curator's LeaderLatch:
     * the lowest sequence number leads; each participant's znode data is its id, {@code
     * host:grpcPort}, the address of its {@code CometService}).
     */
    public Map<String, List<String>> read() throws Exception {
        String base = paths.cometLeaders();
        Map<String, List<String>> elections = new LinkedHashMap<>();
        List<String> names;
        try {
            names = zk.getChildren().forPath(base);
        } catch (KeeperException.NoNodeException e) {
            return elections; // no comet ever ran
        }
        for (String name : names.stream().sorted().toList()) {
            List<String> latches = new ArrayList<>();
            try {
                latches.addAll(zk.getChildren().forPath(base + "/" + name));
            } catch (KeeperException.NoNodeException e) {
                continue;
            }
            latches.sort(Comparator.comparing(CometElections::sequence));
            List<String> ids = new ArrayList<>();
            for (String latch : latches) {
                try {
                    ids.add(
                            new String(
                                    zk.getData().forPath(base + "/" + name + "/" + latch),
                                    StandardCharsets.UTF_8));
                } catch (KeeperException.NoNodeException e) {
                    // left the election meanwhile
                }
            }
            if (!ids.isEmpty()) {
                elections.put(name, ids);
            }
        }
        return elections;
    }

    private static String sequence(String latchNode) {
        int dash = latchNode.lastIndexOf('-');
        return dash < 0 ? latchNode : latchNode.substring(dash + 1);
    }
}
