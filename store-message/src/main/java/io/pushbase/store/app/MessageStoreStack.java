package io.pushbase.store.app;

import io.pushbase.store.InstrumentedMessageStore;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.cursor.CursorStore;
import io.pushbase.store.hbase.HBaseClient;
import io.pushbase.store.hbase.HBaseMessageStore;
import io.pushbase.store.hbase.KeyTrimmer;

/**
 * A message node's store as its configuration describes it ({@link
 * MessageConfiguration#buildStore}): the HBase client, the {@link KeyTrimmer} that keeps each key
 * at its cap, the {@link HBaseMessageStore} over both, and the {@link InstrumentedMessageStore} in
 * front of it that clients are served from. The message node and the benchmarks build it the same
 * way, so what a benchmark measures is what a node runs.
 *
 * <p>Ownership: the caller owns {@link #hbase()} and must start it before the first store call and
 * stop it after the last (a Dropwizard node manages it in its lifecycle); nothing else here holds a
 * resource. Every part is thread-safe once the client has started. Failure semantics are those of
 * the parts: an unreachable HBase fails {@code hbase().start()}, later outages fail single store
 * operations within {@link #deadlineMillis()}.
 *
 * @param hbase the node's one HBase connection, not yet started
 * @param limits the per-request and per-key bounds the store enforces
 * @param trimmer trims keys back to {@code limits.maxStoredPerKey()}
 * @param hbaseStore the store itself, uninstrumented (for health probes, which must not count as
 *     client traffic)
 * @param store the instrumented store that serves clients
 * @param deadlineMillis the store's hard deadline per operation
 * @param roomTrimmer (Pushbase) trims room logs back to the same cap
 * @param rooms (Pushbase) the instrumented store of room logs ({@code LogSpace.ROOMS}, the same
 *     table and client; docs/STORE.md "Room logs")
 * @param cursors the device cursors (Pushbase, acknowledgements), instrumented, on the same table
 */
public record MessageStoreStack(
        HBaseClient hbase,
        StoreLimits limits,
        KeyTrimmer trimmer,
        HBaseMessageStore hbaseStore,
        MessageStore store,
        long deadlineMillis,
        KeyTrimmer roomTrimmer,
        MessageStore rooms,
        CursorStore cursors) {}
