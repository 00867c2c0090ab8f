package io.hypermesh.testkit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a real HyperMesh Bus for a test class: an embedded Kafka broker, the schema registry, the
 * folds and their Consul-compatible API, on free ports, with its data in a temporary folder that is
 * deleted afterwards. Test methods, constructors and lifecycle methods may take a {@link TestBus},
 * its {@link io.hypermesh.bus.HyperMeshBus.Endpoints}, a {@link ConsulApi}, a
 * {@link io.hypermesh.schemas.publish.BusPublisher} or a
 * {@link io.hypermesh.schemas.registry.client.RegistryClient} as parameters.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(HyperMeshExtension.class)
public @interface HyperMeshTest {
    /**
     * False (the default): a bus of this class's own, stopped after its last test. True: one bus
     * for every class in the JVM that asks for a shared one with the same preset and platform,
     * stopped when the test run ends: faster, but the classes see each other's services and events.
     */
    boolean shared() default false;

    /** The preset: development (the default), performance, or a settings file's path. */
    String preset() default "development";

    /** Whether the coordinator and the preset's adapters run too (default false: the bus a service talks to). */
    boolean platform() default false;
}
