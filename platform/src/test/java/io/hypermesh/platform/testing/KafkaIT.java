package io.hypermesh.platform.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test that runs against the real embedded KRaft broker, started once per test JVM and
 * injected as an {@link io.hypermesh.platform.kafka.EmbeddedKafka} parameter.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("kafka")
@ExtendWith(EmbeddedKafkaExtension.class)
public @interface KafkaIT {
}
