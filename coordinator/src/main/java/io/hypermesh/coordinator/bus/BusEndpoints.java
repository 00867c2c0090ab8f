package io.hypermesh.coordinator.bus;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where a running bus can be reached. `hypermesh up` writes them into its data folder so the
 * other commands find the bus without flags.
 */
public record BusEndpoints(String bootstrapServers, String registryUrl, String apiUrl) {
    public static final String FILE = "endpoints.properties";
    public static final String ENV_BOOTSTRAP = "HYPERMESH_BOOTSTRAP_SERVERS";
    public static final String ENV_REGISTRY = "HYPERMESH_REGISTRY_URL";
    public static final String ENV_API = "HYPERMESH_API_URL";
    private static final String LOCAL_DEFAULT_API = "http://127.0.0.1:8500";
    public static final BusEndpoints LOCAL_DEFAULT = new BusEndpoints("127.0.0.1:9092", "http://127.0.0.1:8081",
            LOCAL_DEFAULT_API);

    public BusEndpoints(String bootstrapServers, String registryUrl) {
        this(bootstrapServers, registryUrl, LOCAL_DEFAULT_API);
    }

    public void write(Path dataDir) throws IOException {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrapServers);
        p.setProperty("schema.registry.url", registryUrl);
        p.setProperty("api.url", apiUrl);
        Files.createDirectories(dataDir);
        try (Writer out = Files.newBufferedWriter(dataDir.resolve(FILE))) {
            p.store(out, "written by hypermesh up; removed when it stops");
        }
    }

    public static Optional<BusEndpoints> read(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.of(new BusEndpoints(p.getProperty("bootstrap.servers"), p.getProperty("schema.registry.url"),
                p.getProperty("api.url", LOCAL_DEFAULT_API)));
    }

    /** Flags win, then environment variables, then the endpoints file of a running `up`, then local defaults. */
    public static BusEndpoints resolve(String bootstrapFlag, String registryFlag, Path dataDir, Map<String, String> env) {
        return resolve(bootstrapFlag, registryFlag, null, dataDir, env);
    }

    public static BusEndpoints resolve(String bootstrapFlag, String registryFlag, String apiFlag, Path dataDir, Map<String, String> env) {
        BusEndpoints fromFile = read(dataDir).orElse(LOCAL_DEFAULT);
        String bootstrap = firstSet(bootstrapFlag, env.get(ENV_BOOTSTRAP), fromFile.bootstrapServers());
        String registry = firstSet(registryFlag, env.get(ENV_REGISTRY), fromFile.registryUrl());
        String api = firstSet(apiFlag, env.get(ENV_API), fromFile.apiUrl());
        return new BusEndpoints(bootstrap, registry, api);
    }

    private static String firstSet(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        throw new IllegalStateException("no value set");
    }
}
