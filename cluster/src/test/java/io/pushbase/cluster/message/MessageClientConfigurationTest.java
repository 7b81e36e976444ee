package io.pushbase.cluster.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.util.Duration;
import io.dropwizard.validation.BaseValidator;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageClientConfigurationTest {
    private final Validator validator = BaseValidator.newValidator();

    @Test
    void defaultsAreThreeSecondsPerAttemptAndTenInAll() {
        MessageClientConfiguration config = new MessageClientConfiguration();

        assertThat(config.getAttemptTimeout()).isEqualTo(Duration.seconds(3));
        assertThat(config.getTotalTimeout()).isEqualTo(Duration.seconds(10));
        assertThat(validator.validate(config)).isEmpty();
    }

    @Test
    void aTotalBoundShorterThanOneAttemptIsRejected() {
        MessageClientConfiguration config = new MessageClientConfiguration();
        config.setAttemptTimeout(Duration.seconds(5));
        config.setTotalTimeout(Duration.seconds(2));

        Set<ConstraintViolation<MessageClientConfiguration>> violations =
                validator.validate(config);

        assertThat(violations)
                .extracting(ConstraintViolation::getMessage)
                .containsExactly("totalTimeout must not be shorter than attemptTimeout");
    }

    @Test
    void timeoutsBelowTenMillisecondsAreRejected() {
        MessageClientConfiguration config = new MessageClientConfiguration();
        config.setAttemptTimeout(Duration.milliseconds(1));

        assertThat(validator.validate(config))
                .extracting(v -> v.getPropertyPath().toString())
                .containsExactly("attemptTimeout");
    }

    @Test
    void batchingIsOnByDefaultWithOneMillisecondAnd256Entries() {
        AppendBatchConfiguration batch = new MessageClientConfiguration().getBatch();

        assertThat(batch.isEnabled()).isTrue();
        assertThat(batch.getMaxEntries()).isEqualTo(256);
        assertThat(batch.getMaxDelay()).isEqualTo(Duration.milliseconds(1));
        assertThat(batch.getMaxQueued()).isEqualTo(20_000);
    }

    @Test
    void badBatchSettingsAreRejected() {
        MessageClientConfiguration config = new MessageClientConfiguration();
        config.getBatch().setMaxEntries(0);
        config.getBatch().setMaxQueued(0);
        config.getBatch().setMaxDelay(Duration.seconds(2));

        assertThat(validator.validate(config))
                .extracting(v -> v.getPropertyPath().toString())
                .containsExactlyInAnyOrder("batch.maxEntries", "batch.maxQueued", "batch.maxDelay");
    }
}
