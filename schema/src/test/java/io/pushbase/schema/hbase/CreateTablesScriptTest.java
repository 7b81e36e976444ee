package io.pushbase.schema.hbase;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CreateTablesScriptTest {

    @Test
    void operatorScriptCreatesTheTableTheJavaLayoutDefines() throws Exception {
        String committed =
                Files.readString(Path.of("hbase/create-tables.hbase"), StandardCharsets.UTF_8);
        assertThat(committed).isEqualTo(MessageTableLayout.defaults().shellScript());
    }

    @Test
    void scriptPreSplitsOnEveryBucketBoundary() {
        String script = MessageTableLayout.defaults().shellScript();
        assertThat(script)
                .contains("create 'pushbase:message'")
                .contains("VERSIONS => 1")
                .contains("TTL => 2592000")
                .contains("SPLITS => [\"\\x01\", \"\\x02\"")
                .contains("\"\\x0f\"]");
        assertThat(MessageTableLayout.splitKeys().length).isEqualTo(RowKeys.BUCKETS - 1);
    }
}
