package io.pushbase.cluster.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.dropwizard.logging.common.DropwizardLayout;
import io.dropwizard.logging.common.layout.DiscoverableLayoutFactory;
import java.util.TimeZone;

/**
 * Log layout {@code type: text}: Dropwizard's own human-readable line ({@code LEVEL [time] logger:
 * message}), exactly what an appender without a {@code layout} writes. It exists so that one
 * logging block can choose between text and Dropwizard's {@code json} layout by a variable ({@code
 * type: ${PUSHBASE_LOG_FORMAT:-text}}). The JSON layout's settings in the same block (e.g. {@code
 * flattenMdc}) are accepted and ignored, so both values of the variable read the same YAML.
 * Registered through {@code META-INF/services}; stateless.
 */
@JsonTypeName("text")
@JsonIgnoreProperties(ignoreUnknown = true)
public final class TextLayoutFactory implements DiscoverableLayoutFactory<ILoggingEvent> {
    @Override
    public LayoutBase<ILoggingEvent> build(LoggerContext context, TimeZone timeZone) {
        return new DropwizardLayout(context, timeZone);
    }
}
