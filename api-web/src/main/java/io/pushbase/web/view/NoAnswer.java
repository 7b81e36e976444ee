package io.pushbase.web.view;

import io.grpc.Status;
import io.pushbase.cluster.grpc.GrpcFutures;

/**
 * Why a node did not answer a gRPC call the admin views made: the call's gRPC status as an operator
 * reads it. {@link #reason()} is the short kind — {@code deadline} (no answer within the deadline:
 * a frozen, overloaded or unreachable-without-reset node), {@code unavailable} (the connection was
 * refused or lost, or the node registered no gRPC address) or {@code error} (the node answered with
 * another status) — and {@link #problem()} the status with its description, e.g. {@code
 * DEADLINE_EXCEEDED: deadline exceeded after 0.999s ...}. Immutable.
 */
public record NoAnswer(String reason, String problem) {
    public static final String DEADLINE = "deadline";
    public static final String UNAVAILABLE = "unavailable";
    public static final String ERROR = "error";

    /** What kept a call from answering; {@code failure} as a future delivered it. */
    public static NoAnswer of(Throwable failure) {
        Throwable t = GrpcFutures.unwrap(failure);
        Status status = Status.fromThrowable(t);
        String description =
                status.getDescription() != null
                        ? status.getDescription()
                        : status.getCode() == Status.Code.UNKNOWN ? t.toString() : null;
        // gRPC's "io exception" says nothing; its cause says "Connection refused: /host:port".
        Throwable cause = status.getCause();
        if (description != null && cause != null && cause != t && cause.getMessage() != null) {
            description += " (" + cause.getMessage() + ")";
        }
        String reason =
                switch (status.getCode()) {
                    case DEADLINE_EXCEEDED -> DEADLINE;
                    case UNAVAILABLE -> UNAVAILABLE;
                    default -> ERROR;
                };
        return new NoAnswer(
                reason, status.getCode().name() + (description == null ? "" : ": " + description));
    }
}
