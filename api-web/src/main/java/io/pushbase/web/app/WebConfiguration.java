package io.pushbase.web.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.pushbase.cluster.app.ClusterClientConfiguration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * A web node's YAML configuration (example: {@code api-web/web.yml}). Validated at start; {@code
 * ${ENV_VAR:-default}} substitution applies to every value. The HTTP ports are Dropwizard's {@code
 * server} block: the application connector is the external API, the admin connector the admin API
 * (with metrics and health checks), bound to 127.0.0.1 unless configured otherwise.
 */
public class WebConfiguration extends ClusterClientConfiguration {
    /** This web node's name in discovery and in the cluster view. */
    @NotEmpty
    @Pattern(regexp = "[^/]+", message = "must not contain '/'")
    private String nodeName = "web-1";

    /** The host other nodes and operators reach this node at (published in discovery). */
    @NotEmpty private String advertiseHost = "127.0.0.1";

    @Valid @NotNull private ApiConfiguration api = new ApiConfiguration();

    @Valid @NotNull private CometClientConfiguration comets = new CometClientConfiguration();

    @JsonProperty
    public String getNodeName() {
        return nodeName;
    }

    @JsonProperty
    public void setNodeName(String nodeName) {
        this.nodeName = nodeName;
    }

    @JsonProperty
    public String getAdvertiseHost() {
        return advertiseHost;
    }

    @JsonProperty
    public void setAdvertiseHost(String advertiseHost) {
        this.advertiseHost = advertiseHost;
    }

    @JsonProperty
    public ApiConfiguration getApi() {
        return api;
    }

    @JsonProperty
    public void setApi(ApiConfiguration api) {
        this.api = api;
    }

    @JsonProperty
    public CometClientConfiguration getComets() {
        return comets;
    }

    @JsonProperty
    public void setComets(CometClientConfiguration comets) {
        this.comets = comets;
    }
}
