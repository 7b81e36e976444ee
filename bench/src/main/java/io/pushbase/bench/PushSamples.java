package io.pushbase.bench;

import io.pushbase.bench.ClosedLoop.Outcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A sample of acknowledged pushes (every {@value #EVERY}th sequence number, at most {@value #MAX}),
 * pulled back after the scenario to check that each is in its key's stored messages: an
 * acknowledged push must be durable. Thread-safe.
 */
final class PushSamples {
    static final int EVERY = 997;
    static final int MAX = 200;

    private record Sample(String key, long seq) {}

    private final List<Sample> samples = new ArrayList<>();

    /** Passes {@code outcome} through, keeping the push as a sample when it succeeded. */
    Outcome offer(Outcome outcome, String key, long seq) {
        if (outcome.problem() == null && seq % EVERY == 0) {
            synchronized (samples) {
                if (samples.size() < MAX) {
                    samples.add(new Sample(key, seq));
                }
            }
        }
        return outcome;
    }

    /** Pulls each sampled key through the web node; says how many sampled pushes were found. */
    String verify(InetSocketAddress webApi) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Sample> all;
        synchronized (samples) {
            all = List.copyOf(samples);
        }
        int found = 0;
        List<String> missing = new ArrayList<>();
        for (Sample s : all) {
            URI uri =
                    URI.create(
                            "http://127.0.0.1:"
                                    + webApi.getPort()
                                    + "/1/msg/get?k="
                                    + WebBenchmark.q(s.key())
                                    + "&m=0");
            try {
                String body =
                        http.send(
                                        HttpRequest.newBuilder(uri)
                                                .timeout(Duration.ofSeconds(10))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body();
                if (body.contains("\"seq\":" + s.seq() + ",")) {
                    found++;
                } else if (missing.size() < 3) {
                    missing.add(s.key() + " seq " + s.seq());
                }
            } catch (IOException e) {
                if (missing.size() < 3) {
                    missing.add(s.key() + ": " + e);
                }
            }
        }
        return "stored check: "
                + found
                + " of "
                + all.size()
                + " sampled acknowledged pushes found by a pull"
                + (missing.isEmpty() ? "" : " (MISSING e.g. " + String.join(", ", missing) + ")");
    }
}
