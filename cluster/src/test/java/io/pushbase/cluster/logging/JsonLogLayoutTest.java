package io.pushbase.cluster.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.logging.common.ConsoleAppenderFactory;
import io.dropwizard.logging.common.layout.DiscoverableLayoutFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The appender every role's YAML has, read by Dropwizard's own configuration factory: {@code type:
 * text} and {@code type: json} (with the same {@code flattenMdc} line) both parse, and a line
 * logged inside a {@link MessageLogContext} carries the key and mid as JSON fields of their own.
 */
class JsonLogLayoutTest {
    private static final ObjectMapper MAPPER = Jackson.newObjectMapper();

    @TempDir Path temp;

    @SuppressWarnings("unchecked")
    private LayoutBase<ILoggingEvent> layout(String type) throws Exception {
        Path file = temp.resolve(type + ".yml");
        Files.writeString(
                file, "type: console\nlayout:\n  type: " + type + "\n  flattenMdc: true\n");
        ConsoleAppenderFactory<ILoggingEvent> appender =
                new YamlConfigurationFactory<>(ConsoleAppenderFactory.class, null, MAPPER, "dw")
                        .build(file.toFile());
        DiscoverableLayoutFactory<ILoggingEvent> layout =
                (DiscoverableLayoutFactory<ILoggingEvent>) appender.getLayout();
        LayoutBase<ILoggingEvent> built =
                layout.build(
                        (LoggerContext) LoggerFactory.getILoggerFactory(),
                        TimeZone.getTimeZone("UTC"));
        built.start();
        return built;
    }

    private static String format(LayoutBase<ILoggingEvent> layout) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        String line;
        try (MessageLogContext ignored =
                MessageLogContext.of("Terry-Mao", 17_000_000_000_000_001L)) {
            LoggingEvent event =
                    new LoggingEvent(
                            "x",
                            context.getLogger("io.pushbase.Test"),
                            Level.WARN,
                            "Push to key '{}' failed",
                            null,
                            new Object[] {"Terry-Mao"});
            event.prepareForDeferredProcessing();
            line = layout.doLayout(event);
        }
        assertThat(MDC.get(MessageLogContext.KEY)).isNull();
        assertThat(MDC.get(MessageLogContext.MID)).isNull();
        return line;
    }

    @Test
    void jsonLinesCarryTheKeyAndTheMidAsFieldsOfTheirOwn() throws Exception {
        JsonNode line = MAPPER.readTree(format(layout("json")));

        assertThat(line.get("key").asText()).isEqualTo("Terry-Mao");
        assertThat(line.get("mid").asText()).isEqualTo("17000000000000001");
        assertThat(line.get("message").asText()).isEqualTo("Push to key 'Terry-Mao' failed");
        assertThat(line.get("level").asText()).isEqualTo("WARN");
    }

    @Test
    void textStaysDropwizardsHumanReadableLine() throws Exception {
        String line = format(layout("text"));

        assertThat(line)
                .startsWith("WARN  [")
                .contains("io.pushbase.Test: Push to key 'Terry-Mao' failed")
                .doesNotContain("\"key\"");
    }
}
