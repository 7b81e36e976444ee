package io.pushbase.comet.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import io.pushbase.comet.connection.ConnectionSettings;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * YAML block {@code ws:} of a comet: the WebSocket listener, port 6968 by default, its subscribe
 * path and the browser origins it accepts.
 */
public class WebSocketListenerConfiguration extends ListenerConfiguration {
    public static final int DEFAULT_PORT = 6968;

    /** Where clients open {@code /sub?key=&heartbeat=&token=&ver=}. */
    @NotNull
    @Pattern(regexp = "/\\S*", message = "must start with / and hold no spaces")
    private String path = "/sub";

    /**
     * Exact {@code Origin} values a browser handshake may carry (e.g. {@code
     * https://app.example.com}); others get 403. Empty (the default) allows every origin, and a
     * handshake without {@code Origin} (native clients) is always accepted.
     */
    @NotNull private List<@NotNull String> allowedOrigins = new ArrayList<>();

    /**
     * (Pushbase) Where Server-Sent Events clients open {@code /sse?key=&token=&ver=[&since=]}: an
     * event stream on this listener, for clients behind proxies that refuse WebSocket upgrades.
     */
    @NotNull
    @Pattern(regexp = "/\\S*", message = "must start with / and hold no spaces")
    private String ssePath = ConnectionSettings.DEFAULT_SSE_PATH;

    /** (Pushbase) The period of an event stream's heartbeat comment. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @MaxDuration(value = 1, unit = TimeUnit.HOURS)
    private Duration sseHeartbeat =
            Duration.seconds(ConnectionSettings.DEFAULT_SSE_HEARTBEAT.toSeconds());

    public WebSocketListenerConfiguration() {
        super(DEFAULT_PORT);
    }

    @JsonProperty
    public String getPath() {
        return path;
    }

    @JsonProperty
    public void setPath(String path) {
        this.path = path;
    }

    @JsonProperty
    public List<String> getAllowedOrigins() {
        return allowedOrigins;
    }

    @JsonProperty
    public void setAllowedOrigins(List<String> allowedOrigins) {
        this.allowedOrigins = allowedOrigins;
    }

    @JsonProperty
    public String getSsePath() {
        return ssePath;
    }

    @JsonProperty
    public void setSsePath(String ssePath) {
        this.ssePath = ssePath;
    }

    @JsonProperty
    public Duration getSseHeartbeat() {
        return sseHeartbeat;
    }

    @JsonProperty
    public void setSseHeartbeat(Duration sseHeartbeat) {
        this.sseHeartbeat = sseHeartbeat;
    }

    @ValidationMethod(message = "ssePath must differ from path")
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isSsePathApart() {
        return path == null || !path.equals(ssePath);
    }
}
