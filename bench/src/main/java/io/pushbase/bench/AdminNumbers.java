package io.pushbase.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One number read from a node's admin port ({@code /metrics}, {@code /stat}) for a benchmark
 * report: a figure that cannot be read is reported as unknown (-1), never fails the run. Stateless.
 */
final class AdminNumbers {
    private AdminNumbers() {}

    /**
     * The first group of {@code number} in the body of {@code GET http://127.0.0.1:<port><path>};
     * -1 when the request fails or nothing matches.
     */
    static long read(int port, String path, Pattern number, Duration timeout) {
        try {
            HttpResponse<String> response =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create("http://127.0.0.1:" + port + path))
                                            .timeout(timeout)
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            Matcher m = number.matcher(response.body());
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
