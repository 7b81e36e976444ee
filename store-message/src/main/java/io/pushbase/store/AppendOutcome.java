package io.pushbase.store;

import io.pushbase.cluster.grpc.GrpcFutures;

/**
 * How one entry of {@link MessageStore#appendMany} ended: either a {@link AppendResult} (appended,
 * or refused with the head) or the failure a single {@link MessageStore#append} would have failed
 * with ({@link InvalidArgumentException}: nothing stored; {@link StoreUnavailableException}: may
 * have taken its mid, retry with the same claim). Exactly one of the two is set. Immutable.
 */
public record AppendOutcome(AppendResult result, StoreException failure) {
    public AppendOutcome {
        if ((result == null) == (failure == null)) {
            throw new IllegalArgumentException("exactly one of result and failure must be set");
        }
    }

    public static AppendOutcome of(AppendResult result) {
        return new AppendOutcome(result, null);
    }

    public static AppendOutcome failed(StoreException failure) {
        return new AppendOutcome(null, failure);
    }

    /**
     * The outcome of a failed entry: a store failure as it is; anything else (a bug) is wrapped as
     * unavailable so the caller retries rather than trusts it.
     */
    public static AppendOutcome failed(Throwable failure) {
        Throwable t = GrpcFutures.unwrap(failure);
        return failed(
                t instanceof StoreException s
                        ? s
                        : new StoreUnavailableException("append failed: " + t, t));
    }

    public boolean appended() {
        return result != null && result.appended();
    }
}
