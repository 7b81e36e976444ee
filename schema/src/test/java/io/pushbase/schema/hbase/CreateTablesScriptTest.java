package io.pushbase.schema.hbase;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.hbase.client.TableDescriptor;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
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

    @Test
    void scriptAndLayoutKeepEveryKeysRowsInOneRegion() {
        assertThat(MessageTableLayout.defaults().shellScript())
                .contains(
                        "CONFIGURATION => {'hbase.regionserver.region.split_restriction.type' =>"
                                + " 'KeyPrefix',"
                                + " 'hbase.regionserver.region.split_restriction.prefix_length' =>"
                                + " '9'}");
        TableDescriptor layout = MessageTableLayout.defaults().descriptor();
        assertThat(MessageTableLayout.keepsKeyRowsTogether(layout)).isTrue();
        assertThat(MessageTableLayout.defaults().alterCommand())
                .startsWith("alter 'pushbase:message', CONFIGURATION => {")
                .contains("'KeyPrefix'");
    }

    @Test
    void onlyAKeyPrefixRestrictionOfTheKeyPrefixLengthKeepsAKeysRowsTogether() {
        TableDescriptor layout = MessageTableLayout.defaults().descriptor();
        assertThat(
                        keeps(
                                TableDescriptorBuilder.newBuilder(layout)
                                        .removeValue(MessageTableLayout.SPLIT_RESTRICTION_TYPE)))
                .isFalse();
        assertThat(
                        keeps(
                                TableDescriptorBuilder.newBuilder(layout)
                                        .removeValue(
                                                MessageTableLayout
                                                        .SPLIT_RESTRICTION_PREFIX_LENGTH)))
                .isFalse();
        assertThat(
                        keeps(
                                TableDescriptorBuilder.newBuilder(layout)
                                        .setValue(
                                                MessageTableLayout.SPLIT_RESTRICTION_TYPE,
                                                "DelimitedKeyPrefix")))
                .isFalse();
        // Shorter still splits only between keys; longer could split a key's head from its
        // messages.
        assertThat(
                        keeps(
                                TableDescriptorBuilder.newBuilder(layout)
                                        .setValue(
                                                MessageTableLayout.SPLIT_RESTRICTION_PREFIX_LENGTH,
                                                "8")))
                .isTrue();
        assertThat(
                        keeps(
                                TableDescriptorBuilder.newBuilder(layout)
                                        .setValue(
                                                MessageTableLayout.SPLIT_RESTRICTION_PREFIX_LENGTH,
                                                "10")))
                .isFalse();
        assertThat(
                        keeps(
                                TableDescriptorBuilder.newBuilder(layout)
                                        .setValue(
                                                MessageTableLayout.SPLIT_RESTRICTION_PREFIX_LENGTH,
                                                "0")))
                .isFalse();
        assertThat(
                        keeps(
                                TableDescriptorBuilder.newBuilder(layout)
                                        .setValue(
                                                MessageTableLayout.SPLIT_RESTRICTION_PREFIX_LENGTH,
                                                "17")))
                .isFalse();
        assertThat(
                        keeps(
                                TableDescriptorBuilder.newBuilder(layout)
                                        .setValue(
                                                MessageTableLayout.SPLIT_RESTRICTION_PREFIX_LENGTH,
                                                "nine")))
                .isFalse();
        assertThat(
                        keeps(
                                TableDescriptorBuilder.newBuilder(layout)
                                        .setValue(
                                                MessageTableLayout.SPLIT_RESTRICTION_PREFIX_LENGTH,
                                                " 9 ")))
                .isTrue();
    }

    private static boolean keeps(TableDescriptorBuilder table) {
        return MessageTableLayout.keepsKeyRowsTogether(table.build());
    }
}
