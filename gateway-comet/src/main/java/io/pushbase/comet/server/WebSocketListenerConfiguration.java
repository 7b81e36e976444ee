package io.pushbase.comet.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.List;

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
}
