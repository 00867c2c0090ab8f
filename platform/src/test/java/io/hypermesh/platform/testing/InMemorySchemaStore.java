package io.hypermesh.platform.testing;

import io.hypermesh.platform.registry.RegistryState;
import io.hypermesh.platform.registry.SchemaRegistry;
import io.hypermesh.platform.registry.SchemaStore;
import java.util.function.Function;

/** A process-local store: the same rules as the Kafka-backed one, for unit tests and TopologyTestDriver. */
public final class InMemorySchemaStore implements SchemaStore {
    private final RegistryState state = new RegistryState();

    @Override
    public synchronized <T> T read(Function<RegistryState, T> query) {
        return query.apply(state);
    }

    @Override
    public synchronized <T> T write(Function<RegistryState, SchemaRegistry.Planned<T>> operation) {
        SchemaRegistry.Planned<T> planned = operation.apply(state);
        planned.writes().forEach(state::apply);
        return planned.result();
    }

    @Override
    public void close() {
    }
}
