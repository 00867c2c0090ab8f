package io.hypermesh.platform.testing;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.nio.file.Files;
import java.nio.file.Path;

/** Starts one embedded broker per test run (closed when the run ends) and injects it. */
public final class EmbeddedKafkaExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return broker(context);
    }

    public static EmbeddedKafka broker(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(BrokerResource.class, k -> new BrokerResource(), BrokerResource.class).broker;
    }

    private static final class BrokerResource implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final EmbeddedKafka broker;

        BrokerResource() {
            try {
                Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath().toFile().exists()
                        ? Path.of("target") : Path.of(System.getProperty("java.io.tmpdir")), "embedded-kafka-");
                broker = EmbeddedKafka.start(dir, 0);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            broker.close();
        }
    }
}
