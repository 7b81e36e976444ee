package io.pushbase.store.grpc;

import io.grpc.Status;
import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.store.InvalidArgumentException;
import io.pushbase.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapping from store failures to gRPC {@link Status}: the description names the problem;
 * stack traces never travel. Stateless.
 */
public final class StoreStatuses {
    private static final Logger LOG = LoggerFactory.getLogger(StoreStatuses.class);

    private StoreStatuses() {}

    public static Status toStatus(Throwable failure) {
        Throwable t = GrpcFutures.unwrap(failure);
        if (t instanceof InvalidArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(t.getMessage());
        }
        if (t instanceof StoreUnavailableException) {
            return Status.UNAVAILABLE.withDescription(t.getMessage());
        }
        LOG.error("Unexpected store failure", t);
        return Status.INTERNAL.withDescription("internal error: " + t.getClass().getSimpleName());
    }
}
