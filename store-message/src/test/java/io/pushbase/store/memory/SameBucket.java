package io.pushbase.store.memory;

import io.pushbase.schema.hbase.RowKeys;
import java.util.List;

/** Finds two distinct keys that the row-key format files under one bucket. */
public final class SameBucket {
    private SameBucket() {}

    public static List<String> keys(RowKeys rowKeys, String stem) {
        String first = stem + "-0";
        int bucket = rowKeys.bucket(first);
        for (int i = 1; ; i++) {
            String other = stem + "-" + i;
            if (rowKeys.bucket(other) == bucket) {
                return List.of(first, other);
            }
        }
    }
}
