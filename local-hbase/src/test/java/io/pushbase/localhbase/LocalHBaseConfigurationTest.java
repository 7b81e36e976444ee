package io.pushbase.localhbase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalHBaseConfigurationTest {
    @TempDir Path tmp;

    @Test
    void everythingLivesUnderTheDataDirectoryAndNoWebUiStarts() throws Exception {
        LocalHBaseOptions options =
                LocalHBaseOptions.parse("--data", tmp.resolve("data").toString());
        try (DataDirectory dir = DataDirectory.open(options.dataDir())) {
            Configuration conf = LocalHBase.configuration(options, dir, 22181);

            assertThat(conf.get("hbase.rootdir"))
                    .isEqualTo(tmp.resolve("data/hbase").toUri().toString());
            assertThat(conf.get("hbase.tmp.dir")).isEqualTo(tmp.resolve("data/tmp").toString());
            assertThat(conf.getBoolean("hbase.cluster.distributed", true)).isFalse();
            assertThat(conf.get("hbase.zookeeper.quorum")).isEqualTo("127.0.0.1");
            assertThat(conf.getInt("hbase.zookeeper.property.clientPort", 0)).isEqualTo(22181);
            assertThat(conf.getInt("hbase.master.info.port", 0)).isEqualTo(-1);
            assertThat(conf.getInt("hbase.regionserver.info.port", 0)).isEqualTo(-1);
            assertThat(conf.getBoolean("hbase.unsafe.stream.capability.enforce", true))
                    .as("the local filesystem cannot promise hflush/hsync")
                    .isFalse();
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefused() throws Exception {
        try (DataDirectory first = DataDirectory.open(tmp)) {
            assertThatThrownBy(() -> DataDirectory.open(tmp))
                    .hasMessageContaining("is in use by another local HBase");
        }
        DataDirectory.open(tmp).close();
    }
}
