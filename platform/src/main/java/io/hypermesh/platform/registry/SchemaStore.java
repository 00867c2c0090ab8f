package io.hypermesh.platform.registry;

import java.util.function.Function;

/**
 * Where the registry's state lives. Reads see a consistent state; writes are serialised so the
 * planned records are computed against the latest state and made durable before the answer.
 */
public interface SchemaStore extends AutoCloseable {

    <T> T read(Function<RegistryState, T> query);

    <T> T write(Function<RegistryState, SchemaRegistry.Planned<T>> operation);

    @Override
    void close();
}
