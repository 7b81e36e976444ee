package io.pushbase.comet.stat;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Sampling;
import com.codahale.metrics.Snapshot;
import io.pushbase.schema.comet.v1.CometTraffic;
import java.util.function.Supplier;

/**
 * A comet's push traffic as {@code CometTraffic} (comet.proto), read from its {@link
 * MetricRegistry} under the names {@code PushPipeline} and the append batcher register: {@code
 * comet.push.acknowledged}, {@code comet.push.delivered}, the {@code comet.push} timer and the
 * {@code appendBatcher.batchSize} histogram. A metric not registered yet reads 0 (a comet whose
 * batcher is off never has the histogram). The comet's gRPC {@code Ping} answers it, so the web
 * node's console charts every comet without reaching its admin port. Thread-safe; reads only.
 */
public final class CometTrafficReader implements Supplier<CometTraffic> {
    private static final double SECONDS_PER_NANO = 1e-9;
    private final MetricRegistry metrics;

    public CometTrafficReader(MetricRegistry metrics) {
        this.metrics = metrics;
    }

    @Override
    public CometTraffic get() {
        CometTraffic.Builder traffic =
                CometTraffic.newBuilder()
                        .setPushesAcknowledged(count("comet.push.acknowledged"))
                        .setDeliveries(count("comet.push.delivered"))
                        .setAppendBatches(count("appendBatcher.batchSize"));
        Snapshot push = snapshot("comet.push");
        if (push != null) {
            traffic.setPushP50Seconds(push.getMedian() * SECONDS_PER_NANO)
                    .setPushP99Seconds(push.get99thPercentile() * SECONDS_PER_NANO);
        }
        Snapshot batches = snapshot("appendBatcher.batchSize");
        if (batches != null) {
            traffic.setAppendBatchP50(batches.getMedian())
                    .setAppendBatchP99(batches.get99thPercentile());
        }
        return traffic.build();
    }

    private long count(String name) {
        return metric(name) instanceof Counting counting ? counting.getCount() : 0;
    }

    private Snapshot snapshot(String name) {
        return metric(name) instanceof Sampling sampling ? sampling.getSnapshot() : null;
    }

    private Metric metric(String name) {
        return metrics.getMetrics().get(name);
    }
}
