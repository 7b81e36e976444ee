package io.pushbase.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * The load on the server processes over time, sampled every {@value #PERIOD_MILLIS} ms: each
 * process's CPU time ({@code /proc/<pid>/stat}, {@link CpuUsage#processNanos}) and the message
 * node's {@code Fetch} calls so far (the count of its {@code store.fetch} timer on its admin {@code
 * /metrics}). A {@link #window} gives a stretch's totals and its peaks over any one second — what a
 * burst such as a resume storm puts on the message node, which an average over a long window would
 * flatten.
 *
 * <p>Threading: one daemon sampling thread; {@link #window} from any thread. Owns that thread;
 * {@link #close()} ends it.
 */
final class LoadSampler implements AutoCloseable {
    static final long PERIOD_MILLIS = 200;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SECOND = 1_000_000_000L;

    private record Sample(long nanos, Map<String, Long> cpuNanos, long fetches) {}

    /**
     * One stretch of time.
     *
     * @param cpuSeconds CPU seconds each process used in it
     * @param peakCores the most cores each process used over any one second in it
     * @param fetches message node {@code Fetch} calls in it
     * @param peakFetchesPerSecond the most {@code Fetch} calls in any one second in it
     */
    record Window(
            double seconds,
            Map<String, Double> cpuSeconds,
            Map<String, Double> peakCores,
            long fetches,
            double peakFetchesPerSecond) {}

    private final Map<String, Long> pids;
    private final URI metrics;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param pids the processes to follow, by name
     * @param messageAdmin the message node's admin {@code host:port}
     */
    LoadSampler(Map<String, Long> pids, String messageAdmin) {
        this.pids = Map.copyOf(pids);
        this.metrics = URI.create("http://" + messageAdmin + "/metrics");
        thread = new Thread(this::loop, "load-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            long now = System.nanoTime();
            Map<String, Long> cpu = new LinkedHashMap<>();
            pids.forEach((name, pid) -> cpu.put(name, CpuUsage.processNanos(pid)));
            long fetches = fetches();
            synchronized (samples) {
                samples.add(new Sample(now, cpu, fetches));
            }
            try {
                Thread.sleep(Math.max(1, PERIOD_MILLIS - (System.nanoTime() - now) / 1_000_000));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private long fetches() {
        try {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body())
                    .path("timers")
                    .path("store.fetch")
                    .path("count")
                    .asLong(-1);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The stretch from {@code fromNanos} to {@code toNanos} ({@link System#nanoTime()}), measured
     * from the last sample at or before its start to the first at or after its end (so up to one
     * period wider); waits for that sample.
     */
    Window window(long fromNanos, long toNanos) throws InterruptedException {
        List<Sample> in = new ArrayList<>();
        while (true) {
            synchronized (samples) {
                if (!samples.isEmpty() && samples.get(samples.size() - 1).nanos >= toNanos) {
                    Sample before = samples.get(0);
                    for (Sample s : samples) {
                        if (s.nanos <= fromNanos) {
                            before = s;
                        } else if (s.nanos < toNanos) {
                            in.add(s);
                        } else {
                            in.add(0, before);
                            in.add(s);
                            break;
                        }
                    }
                    break;
                }
            }
            Thread.sleep(PERIOD_MILLIS);
        }
        Sample first = in.get(0);
        Sample last = in.get(in.size() - 1);
        Map<String, Double> cpuSeconds = new LinkedHashMap<>();
        Map<String, Double> peakCores = new LinkedHashMap<>();
        for (String name : pids.keySet()) {
            cpuSeconds.put(name, (last.cpuNanos.get(name) - first.cpuNanos.get(name)) / 1e9);
            peakCores.put(name, peak(in, s -> s.cpuNanos.get(name)) / 1e9);
        }
        return new Window(
                (last.nanos - first.nanos) / 1e9,
                cpuSeconds,
                peakCores,
                last.fetches - first.fetches,
                peak(in, Sample::fetches) * 1.0);
    }

    /**
     * Waits until the message node's {@code Fetch} count has not changed for {@code still}, and
     * answers when it last changed (at least {@code afterNanos}): where the work a burst caused
     * ends, which can be after its clients were served (a replay reads the empty page that ends it
     * after its client has every message). Gives up after 2 minutes and answers then.
     */
    long quietSince(long afterNanos, Duration still) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            long lastChange = afterNanos;
            long newest;
            synchronized (samples) {
                for (int i = 1; i < samples.size(); i++) {
                    Sample s = samples.get(i);
                    if (s.nanos > afterNanos && s.fetches != samples.get(i - 1).fetches) {
                        lastChange = s.nanos;
                    }
                }
                newest = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).nanos;
            }
            if (newest - lastChange >= still.toNanos() || System.nanoTime() > giveUp) {
                return lastChange;
            }
            Thread.sleep(PERIOD_MILLIS);
        }
    }

    /** The largest increase per second of {@code value} over any stretch of at least 1 s. */
    private static double peak(List<Sample> in, ToLongFunction<Sample> value) {
        double peak = 0;
        int j = 0;
        for (int i = 1; i < in.size(); i++) {
            while (j + 1 < i && in.get(i).nanos - in.get(j + 1).nanos >= SECOND) {
                j++;
            }
            long span = in.get(i).nanos - in.get(j).nanos;
            if (span >= SECOND || (j == 0 && i == in.size() - 1)) {
                double rate =
                        (value.applyAsLong(in.get(i)) - value.applyAsLong(in.get(j))) * 1e9 / span;
                peak = Math.max(peak, rate);
            }
        }
        return peak;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
