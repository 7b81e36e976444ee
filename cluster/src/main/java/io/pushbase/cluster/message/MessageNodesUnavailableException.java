package io.pushbase.cluster.message;

import io.grpc.Status;
import java.util.List;
import java.util.Optional;

/**
 * No message node took a {@link MessageNodeClient} call within its total bound: every live node
 * failed with a retryable status (or none was live). The message names the operation, the nodes
 * tried and the last status. For an append the outcome is unknown - a node may have taken its mid
 * before failing - and retrying the same request (same mid and claim) later is safe.
 */
public final class MessageNodesUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> triedNodes;
    private final transient Status lastStatus;
    private final int attempts;

    MessageNodesUnavailableException(
            String op,
            List<String> triedNodes,
            Status lastStatus,
            int attempts,
            long elapsedMillis) {
        super(message(op, triedNodes, lastStatus, attempts, elapsedMillis));
        this.triedNodes = List.copyOf(triedNodes);
        this.lastStatus = lastStatus;
        this.attempts = attempts;
    }

    /**
     * The nodes tried, in order, each once ({@code name (instance id)}); empty if none was live.
     */
    public List<String> triedNodes() {
        return triedNodes;
    }

    /** The status of the last failed attempt; empty if no node was ever live. */
    public Optional<Status> lastStatus() {
        return Optional.ofNullable(lastStatus);
    }

    public int attempts() {
        return attempts;
    }

    private static String message(
            String op, List<String> tried, Status lastStatus, int attempts, long elapsedMillis) {
        String head =
                op
                        + ": no message node took the call within "
                        + elapsedMillis
                        + " ms ("
                        + attempts
                        + (attempts == 1 ? " attempt" : " attempts")
                        + ")";
        if (tried.isEmpty()) {
            return head + "; no live message node in discovery";
        }
        return head
                + "; tried "
                + String.join(", ", tried)
                + "; last status "
                + (lastStatus == null
                        ? "none"
                        : lastStatus.getCode()
                                + (lastStatus.getDescription() == null
                                        ? ""
                                        : ": " + lastStatus.getDescription()));
    }
}
