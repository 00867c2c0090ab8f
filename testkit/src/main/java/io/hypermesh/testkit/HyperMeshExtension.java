package io.hypermesh.testkit;

import io.hypermesh.bus.HyperMeshBus;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.registry.client.RegistryClient;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.Set;

/**
 * Starts the bus {@link HyperMeshTest} asks for before a class's first test, keeps it in JUnit's
 * store (the class's, or the whole run's for a shared one), which stops it when that scope ends,
 * and hands tests the bus and its clients as parameters.
 */
public final class HyperMeshExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(HyperMeshExtension.class);
    private static final Set<Class<?>> INJECTED = Set.of(TestBus.class, HyperMeshBus.Endpoints.class, ConsulApi.class,
            BusPublisher.class, RegistryClient.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        bus(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return INJECTED.contains(parameter.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestBus bus = bus(context);
        Class<?> type = parameter.getParameter().getType();
        if (type == TestBus.class) {
            return bus;
        } else if (type == HyperMeshBus.Endpoints.class) {
            return bus.endpoints();
        } else if (type == ConsulApi.class) {
            return bus.consul();
        } else if (type == BusPublisher.class) {
            return bus.publisher();
        } else if (type == RegistryClient.class) {
            return bus.registry();
        }
        throw new ParameterResolutionException("the test kit does not give a " + type.getName());
    }

    /** The bus of this test's class: started on first use, in the scope its annotation asks for. */
    private static TestBus bus(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        HyperMeshTest settings = findSettings(testClass);
        ExtensionContext scope = settings.shared() ? context.getRoot() : classContext(context);
        String key = (settings.shared() ? "shared:" : "class:" + testClass.getName() + ":") + settings.preset() + ":"
                + settings.platform();
        return scope.getStore(NAMESPACE).getOrComputeIfAbsent(key, k -> Running.start(settings), Running.class).bus;
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    private static HyperMeshTest findSettings(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            HyperMeshTest found = c.getAnnotation(HyperMeshTest.class);
            if (found != null) {
                return found;
            }
        }
        throw new ParameterResolutionException(testClass.getName() + " uses the HyperMesh test kit without @HyperMeshTest");
    }

    /** A started bus in JUnit's store, which closes it with the scope (either interface, by JUnit's version). */
    @SuppressWarnings("deprecation")
    private record Running(TestBus bus) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        static Running start(HyperMeshTest settings) {
            try {
                return new Running(TestBus.start(settings.preset(), settings.platform()));
            } catch (Exception e) {
                throw new IllegalStateException("the HyperMesh test bus did not start: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            bus.close();
        }
    }
}
