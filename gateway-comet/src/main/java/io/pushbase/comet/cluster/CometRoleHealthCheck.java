package io.pushbase.comet.cluster;

import com.codahale.metrics.health.HealthCheck;

/**
 * Reports this comet's role in its node name's election and the ring it serves by, and is always
 * healthy: a standby is doing its job by waiting, and a leader that lost ZooKeeper is reported by
 * the {@code zookeeper} check. Reads in-memory state only. Thread-safe.
 */
public final class CometRoleHealthCheck extends HealthCheck {
    private final CometLeadership leadership;
    private final RingOwnership ring;
    private final String nodeName;

    public CometRoleHealthCheck(CometLeadership leadership, RingOwnership ring, String nodeName) {
        this.leadership = leadership;
        this.ring = ring;
        this.nodeName = nodeName;
    }

    @Override
    protected Result check() {
        return Result.healthy("%s of %s, ring %s", leadership.role(), nodeName, ring.ring());
    }
}
