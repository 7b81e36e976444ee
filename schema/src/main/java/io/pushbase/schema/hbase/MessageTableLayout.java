package io.pushbase.schema.hbase;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.hbase.NamespaceDescriptor;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.AsyncAdmin;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptor;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.RegionInfo;
import org.apache.hadoop.hbase.client.TableDescriptor;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.io.encoding.DataBlockEncoding;
import org.apache.hadoop.hbase.regionserver.BloomType;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * The one definition of Pushbase's message table: namespace, table, column family, family TTL and
 * pre-split points. {@link #ensure} creates or verifies it through the HBase admin API; {@link
 * #shellScript()} renders the same definition as the {@code hbase shell} script operators run
 * ({@code schema/hbase/create-tables.hbase}, kept equal by a test).
 *
 * <p>Tall layout, one row per message (see {@link RowKeys}). Column family {@code m}, {@code
 * VERSIONS => 1}; the family TTL is the longest retention and each cell carries its message's own
 * TTL. Qualifiers: {@code k} the raw key, on message rows only (detects hash collisions), {@code p}
 * the payload, {@code c} the append claim, {@code e} the message's expiry in seconds (its cell TTL,
 * written since the console's key inspector shows when a message expires); on the key's head row
 * (mid 0, which no read returns) {@code h}, the key's largest taken mid (see {@code docs/MIDS.md}).
 *
 * <p>Immutable and thread-safe.
 */
public final class MessageTableLayout {
    public static final String DEFAULT_NAMESPACE = "pushbase";
    public static final String DEFAULT_TABLE = "message";

    /** Default family TTL and longest allowed message expiry: 30 days. */
    public static final int DEFAULT_RETENTION_SECONDS = 30 * 24 * 3600;

    public static final byte[] FAMILY = Bytes.toBytes("m");
    public static final byte[] COLUMN_KEY = Bytes.toBytes("k");
    public static final byte[] COLUMN_PAYLOAD = Bytes.toBytes("p");

    /**
     * On a message row: the expiry it was stored with, in seconds (8 big-endian bytes); it expires
     * at the payload cell's timestamp plus this, HBase's own TTL rule. Absent on rows written
     * before it existed.
     */
    public static final byte[] COLUMN_EXPIRE = Bytes.toBytes("e");

    /** On an appended message row: the claim of the append that stored it. */
    public static final byte[] COLUMN_CLAIM = Bytes.toBytes("c");

    /**
     * On a key's head row (mid 0, never returned by reads): the key's largest taken mid, 8
     * big-endian bytes, followed by the claim that took it.
     */
    public static final byte[] COLUMN_HEAD = Bytes.toBytes("h");

    /**
     * On a key's head row: the key's low-water mark, 8 big-endian bytes: every message with a mid
     * at or below it may be gone (trimmed by the per-key cap or deleted). Only ever raised, by a
     * check-and-mutate, before the rows go (docs/STORE.md, "Low-water mark").
     */
    public static final byte[] COLUMN_FLOOR = Bytes.toBytes("f");

    /**
     * On a key's head row: the prefix of the expiry marks, one cell per expiry a node stored a
     * message of the key with ({@code x} + the expiry in seconds, 8 big-endian bytes, so the
     * qualifiers sort by expiry; empty value). The smallest is the key's shortest expiry.
     */
    public static final byte[] EXPIRE_MARK_PREFIX = Bytes.toBytes("x");

    /**
     * On a key's head row (Pushbase, idempotent pushes): the prefix of the claim index, one cell
     * per push appended with an index ({@code i} + the claim; value: the mid it took and when, 8
     * big-endian bytes each), written with the head in the same compare-and-set and timestamped so
     * that the family TTL hides it once the idempotency window has passed (docs/MIDS.md, "Retries
     * without duplicates").
     */
    public static final byte[] CLAIM_INDEX_PREFIX = Bytes.toBytes("i");

    /**
     * On a key's head row (Pushbase, acknowledgements): the prefix of the device cursors, one cell
     * per device that acknowledged a mid of the key ({@code a} + the device id's ASCII bytes;
     * value: the largest acknowledged mid, 8 big-endian bytes), only ever raised by a
     * check-and-mutate and written with a cell TTL of the cursor lifetime (the retention by
     * default), so a device that stops acknowledging is forgotten that long after its last ack
     * (docs/STORE.md, "Device cursors").
     */
    public static final byte[] CURSOR_PREFIX = Bytes.toBytes("a");

    /** The cursor qualifier of {@code device} (an id {@code schema/client/Devices} accepts). */
    public static byte[] cursor(String device) {
        return Bytes.add(CURSOR_PREFIX, Bytes.toBytes(device));
    }

    /**
     * On a key's head row: the prefix of the key's row count ({@code n} + the raw key, so keys
     * whose hashes collide on one head row keep their own), written by the per-key cap's trimmer
     * with the floor: how many rows lie between the floor and a mark, so a trim or a fetch counts
     * only the rows stored since instead of the whole key (docs/STORE.md, "Per-key cap").
     */
    public static final byte[] ROW_COUNT_PREFIX = Bytes.toBytes("n");

    /** The claim index qualifier for {@code claim}. */
    public static byte[] claimIndex(byte[] claim) {
        return Bytes.add(CLAIM_INDEX_PREFIX, claim);
    }

    /** The row count qualifier of the key whose raw bytes are {@code keyBytes}. */
    public static byte[] rowCount(byte[] keyBytes) {
        return Bytes.add(ROW_COUNT_PREFIX, keyBytes);
    }

    /** The expiry mark qualifier for {@code expireSeconds}. */
    public static byte[] expireMark(long expireSeconds) {
        return Bytes.add(EXPIRE_MARK_PREFIX, Bytes.toBytes(expireSeconds));
    }

    private final TableName tableName;
    private final int retentionSeconds;

    /**
     * @param namespace HBase namespace, e.g. {@value #DEFAULT_NAMESPACE}
     * @param table table name within it, e.g. {@value #DEFAULT_TABLE}
     * @param retentionSeconds family TTL = the longest expiry a message may ask for
     */
    public MessageTableLayout(String namespace, String table, int retentionSeconds) {
        if (retentionSeconds <= 0) {
            throw new IllegalArgumentException("retentionSeconds must be positive");
        }
        this.tableName = TableName.valueOf(namespace, table);
        this.retentionSeconds = retentionSeconds;
    }

    /** The layout with default namespace, table and retention. */
    public static MessageTableLayout defaults() {
        return new MessageTableLayout(DEFAULT_NAMESPACE, DEFAULT_TABLE, DEFAULT_RETENTION_SECONDS);
    }

    public TableName tableName() {
        return tableName;
    }

    public int retentionSeconds() {
        return retentionSeconds;
    }

    /** Region boundaries: one region per bucket, {@code \x01 .. \x0f} for 16 buckets. */
    public static byte[][] splitKeys() {
        byte[][] splits = new byte[RowKeys.BUCKETS - 1][];
        for (int b = 1; b < RowKeys.BUCKETS; b++) {
            splits[b - 1] = new byte[] {(byte) b};
        }
        return splits;
    }

    public ColumnFamilyDescriptor family() {
        return ColumnFamilyDescriptorBuilder.newBuilder(FAMILY)
                .setMaxVersions(1)
                .setTimeToLive(retentionSeconds)
                .setBloomFilterType(BloomType.ROW)
                .setDataBlockEncoding(DataBlockEncoding.FAST_DIFF)
                .build();
    }

    public TableDescriptor descriptor() {
        return TableDescriptorBuilder.newBuilder(tableName).setColumnFamily(family()).build();
    }

    /**
     * Makes sure the table exists as this layout defines it.
     *
     * @param create when the namespace or table is missing: create it (true) or fail
     * @throws IllegalStateException naming the difference when the table is missing and {@code
     *     create} is false, or exists with another family, VERSIONS or TTL
     * @throws TimeoutException when HBase does not answer within {@code timeoutMillis}
     */
    public void ensure(AsyncAdmin admin, boolean create, long timeoutMillis)
            throws TimeoutException, InterruptedException {
        try {
            if (!await(admin.tableExists(tableName), timeoutMillis)) {
                if (!create) {
                    throw new IllegalStateException(
                            "HBase table "
                                    + tableName
                                    + " does not exist; run schema/hbase/create-tables.hbase"
                                    + " or enable table creation");
                }
                createMissing(admin, timeoutMillis);
            }
            verify(await(admin.getDescriptor(tableName), timeoutMillis));
            List<RegionInfo> regions = await(admin.getRegions(tableName), timeoutMillis);
            verifySplits(regions);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "HBase refused the layout check of " + tableName + ": " + e.getCause(),
                    e.getCause());
        }
    }

    private void createMissing(AsyncAdmin admin, long timeoutMillis)
            throws ExecutionException, TimeoutException, InterruptedException {
        String ns = tableName.getNamespaceAsString();
        boolean nsExists =
                await(admin.listNamespaceDescriptors(), timeoutMillis).stream()
                        .anyMatch(d -> d.getName().equals(ns));
        if (!nsExists) {
            try {
                await(admin.createNamespace(NamespaceDescriptor.create(ns).build()), timeoutMillis);
            } catch (ExecutionException e) {
                // Another node may have created it meanwhile; the table step decides.
                if (!e.getCause().getClass().getSimpleName().contains("NamespaceExist")) {
                    throw e;
                }
            }
        }
        try {
            await(admin.createTable(descriptor(), splitKeys()), timeoutMillis);
        } catch (ExecutionException e) {
            if (!e.getCause().getClass().getSimpleName().contains("TableExists")) {
                throw e;
            }
        }
    }

    /** Fails when {@code actual} differs from this layout in a way that breaks semantics. */
    public void verify(TableDescriptor actual) {
        ColumnFamilyDescriptor cf = actual.getColumnFamily(FAMILY);
        List<String> problems = new ArrayList<>();
        if (cf == null) {
            problems.add("column family 'm' is missing");
        } else {
            if (cf.getMaxVersions() != 1) {
                problems.add("VERSIONS is " + cf.getMaxVersions() + ", expected 1");
            }
            if (cf.getTimeToLive() != retentionSeconds) {
                problems.add(
                        "TTL is "
                                + cf.getTimeToLive()
                                + " s, expected "
                                + retentionSeconds
                                + " s (the configured retention)");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(
                    "HBase table " + tableName + " does not match Pushbase's layout: " + problems);
        }
    }

    private void verifySplits(List<RegionInfo> regions) {
        for (byte[] split : splitKeys()) {
            boolean present = regions.stream().anyMatch(r -> Arrays.equals(r.getStartKey(), split));
            if (!present) {
                throw new IllegalStateException(
                        "HBase table "
                                + tableName
                                + " is not pre-split on bucket "
                                + Bytes.toStringBinary(split)
                                + "; recreate it with schema/hbase/create-tables.hbase");
            }
        }
    }

    /** The {@code hbase shell} script that creates exactly {@link #descriptor()}. */
    public String shellScript() {
        StringBuilder splits = new StringBuilder();
        for (byte[] split : splitKeys()) {
            if (splits.length() > 0) {
                splits.append(", ");
            }
            splits.append('"').append(String.format("\\x%02x", split[0])).append('"');
        }
        ColumnFamilyDescriptor cf = family();
        return "# Pushbase message table. Run once against a new cluster:\n"
                + "#   hbase shell -n schema/hbase/create-tables.hbase\n"
                + "# Generated from io.pushbase.schema.hbase.MessageTableLayout; a test keeps the"
                + " two equal.\n"
                + "# Rows: [bucket][8-byte key hash][8-byte big-endian mid], one per message;\n"
                + "# family TTL = longest retention, each cell carries its message's own TTL.\n"
                + "create_namespace '"
                + tableName.getNamespaceAsString()
                + "'\n"
                + "create '"
                + tableName.getNameAsString()
                + "', {NAME => '"
                + cf.getNameAsString()
                + "', VERSIONS => "
                + cf.getMaxVersions()
                + ", TTL => "
                + cf.getTimeToLive()
                + ", BLOOMFILTER => '"
                + cf.getBloomFilterType()
                + "', DATA_BLOCK_ENCODING => '"
                + cf.getDataBlockEncoding()
                + "'}, SPLITS => ["
                + splits
                + "]\n"
                + "exit\n";
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f, long timeoutMillis)
            throws ExecutionException, TimeoutException, InterruptedException {
        return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
