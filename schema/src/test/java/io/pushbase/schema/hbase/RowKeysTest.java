package io.pushbase.schema.hbase;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.Test;

class RowKeysTest {
    private final RowKeys keys = RowKeys.standard();

    @Test
    void midRoundTripsExactlyNearTwoToTheSixtyTwo() {
        long mid = (1L << 62) + 12345;
        byte[] row = RowKeys.row(keys.prefix("Terry-Mao"), mid);
        assertThat(row).hasSize(RowKeys.ROW_LENGTH);
        assertThat(RowKeys.mid(row)).isEqualTo(mid);
        assertThat(RowKeys.mid(RowKeys.row(keys.prefix("k"), Long.MAX_VALUE)))
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void rowsOfOneKeySortByMid() {
        byte[] prefix = keys.prefix("k");
        long[] mids = {1, 255, 256, 65_536, 17952546363411610L, 1L << 53, (1L << 53) + 1};
        for (int i = 1; i < mids.length; i++) {
            byte[] a = RowKeys.row(prefix, Math.min(mids[i - 1], mids[i]));
            byte[] b = RowKeys.row(prefix, Math.max(mids[i - 1], mids[i]));
            assertThat(Bytes.compareTo(a, b)).isNegative();
        }
    }

    @Test
    void prefixStartsWithTheBucketAndIsStablePerKey() {
        byte[] p = keys.prefix("user:42");
        assertThat(p).hasSize(RowKeys.PREFIX_LENGTH);
        assertThat(p[0]).isBetween((byte) 0, (byte) (RowKeys.BUCKETS - 1));
        assertThat(keys.prefix("user:42")).isEqualTo(p);
        assertThat(Arrays.equals(keys.prefix("user:43"), p)).isFalse();
    }

    @Test
    void keysSpreadOverEveryBucket() {
        boolean[] seen = new boolean[RowKeys.BUCKETS];
        for (int i = 0; i < 1000; i++) {
            seen[keys.bucket("key-" + i)] = true;
        }
        for (boolean b : seen) {
            assertThat(b).isTrue();
        }
    }
}
