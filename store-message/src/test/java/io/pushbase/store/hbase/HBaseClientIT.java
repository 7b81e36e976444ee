package io.pushbase.store.hbase;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushbase.schema.hbase.MessageTableLayout;
import io.pushbase.schema.hbase.RowKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.regionserver.HRegion;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link HBaseClient} against the mini cluster: what its start leaves ready. */
@ExtendWith(MiniHBase.class)
class HBaseClientIT {

    /**
     * After start, a write to every region of the table needs no lookup in {@code hbase:meta}: the
     * start cached every region's location. (Without it each region's first write scans meta, which
     * under a flood of a server just started timed out and stalled the appends.)
     */
    @Test
    void theFirstWriteToEveryRegionAfterStartReadsNothingFromMeta(MiniHBase mini) throws Exception {
        MessageTableLayout layout = new MessageTableLayout("pushbase", "located_it", 3600);
        HBaseClient client = LogStoreFixture.newClient(mini, layout);
        client.start();
        try {
            HRegion meta =
                    mini.util().getMiniHBaseCluster().getRegions(TableName.META_TABLE_NAME).get(0);
            long metaReadsBefore = meta.getReadRequestsCount();

            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int bucket = 0; bucket < RowKeys.BUCKETS; bucket++) {
                byte[] row = {(byte) bucket, 1, 2, 3};
                writes.add(
                        client.table()
                                .put(
                                        new Put(row)
                                                .addColumn(
                                                        MessageTableLayout.FAMILY,
                                                        Bytes.toBytes("x"),
                                                        Bytes.toBytes(bucket))));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();

            assertThat(mini.util().getMiniHBaseCluster().getRegions(layout.tableName()).size())
                    .isEqualTo(RowKeys.BUCKETS);
            assertThat(meta.getReadRequestsCount())
                    .as("hbase:meta reads by the first write to each of the table's regions")
                    .isEqualTo(metaReadsBefore);
        } finally {
            client.stop();
        }
    }
}
