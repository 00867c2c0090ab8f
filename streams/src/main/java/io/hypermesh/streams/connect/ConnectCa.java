package io.hypermesh.streams.connect;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Connect CA: roots kept in the bus's PKI folder (keys readable by the owner only), leaves
 * issued per service and reused until they are due for rotation (a random point between 60% and
 * 90% of their life, as Consul's agent renews), the active root changes or LeafCertTTL does. A new root is
 * cross-signed by the old one's key, and the old root stays trusted until every leaf it signed has
 * expired. Issuance is rate limited (CSRMaxPerSecond), as key generation costs CPU.
 */
public final class ConnectCa {
    /** How many services' leaves are kept; past it the least recently asked for is forgotten (and issued again if asked). */
    static final int MAX_CACHED_LEAVES = 10_000;
    private static final String STATE = "connect-ca.json";
    /** How far before issuance a leaf is valid: a peer whose clock lags a little accepts it all the same. */
    private static final Duration BACKDATE = Duration.ofMinutes(1);

    /** A trusted root as Consul lists it; {@code key} never leaves this class's callers in the API. */
    public record Root(String id, String name, X509Certificate cert, PrivateKey key, List<String> intermediates, boolean active,
                       String keyType, int keyBits, long createIndex, long modifyIndex, Instant rotatedOutAt) {
        public String certPem() {
            return CaCertificates.pem(cert);
        }

        public String signingKeyId() {
            return CaCertificates.signingKeyId(cert);
        }
    }

    /** A leaf certificate, as the agent's leaf endpoint answers it. */
    public record Leaf(String serial, String certPem, String keyPem, String service, String uri, Instant validAfter, Instant validBefore,
                       long createIndex, long modifyIndex, String rootId, Instant rotateAt) {
    }

    /** Issuance refused for the rate limit: a 429. */
    public static final class RateLimitedException extends RuntimeException {
        RateLimitedException() {
            super("Rate limit reached, try again later");
        }
    }

    private final Path dir;
    private final String trustDomain;
    private final String clusterId;
    private final String datacenter;
    private final Clock clock;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** One configuration change at a time; the state's own lock is held only to read or swap, never while a key is made. */
    private final Object configuring = new Object();
    private final Map<String, Leaf> leaves = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Leaf> eldest) {
            return size() > MAX_CACHED_LEAVES;
        }
    };
    private CaConfig config;
    private List<Root> roots = new ArrayList<>();
    private long configCreateIndex;
    private long configModifyIndex;
    private long lastIndex;
    private long rootsIndex;
    private double tokens;
    private long tokensAt;

    private ConnectCa(Path dir, String clusterId, String datacenter, Clock clock) {
        this.dir = dir;
        this.clusterId = clusterId;
        this.trustDomain = clusterId + ".consul";
        this.datacenter = datacenter;
        this.clock = clock;
    }

    /** Loads the CA from {@code dir}, or makes its first root there. */
    public static ConnectCa open(Path dir, String clusterId, String datacenter, Clock clock) {
        ConnectCa ca = new ConnectCa(dir, clusterId, datacenter, clock);
        try {
            Files.createDirectories(dir);
            if (Files.exists(dir.resolve(STATE))) {
                ca.load();
            } else {
                ca.config = CaConfig.defaults();
                ca.configCreateIndex = ca.nextIndex();
                ca.configModifyIndex = ca.configCreateIndex;
                ca.roots.add(ca.newRoot(null, ca.config, ca.nextIndex()));
                ca.save();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the Connect CA cannot use " + dir + ": " + e.getMessage(), e);
        }
        return ca;
    }

    public String trustDomain() {
        return trustDomain;
    }

    public String clusterId() {
        return clusterId;
    }

    public synchronized CaConfig config() {
        return config;
    }

    public synchronized long[] configIndexes() {
        return new long[]{configCreateIndex, configModifyIndex};
    }

    /** The trusted roots, the active one first; roots rotated out are dropped once every leaf they signed has expired. */
    public synchronized List<Root> roots() {
        Instant now = clock.instant();
        boolean pruned = roots.removeIf(r -> !r.active() && r.rotatedOutAt() != null
                && now.isAfter(r.rotatedOutAt().plus(config.leafTtl())));
        if (pruned) {
            rootsIndex = nextIndex();
            save();
        }
        return List.copyOf(roots);
    }

    public synchronized Root active() {
        return roots.stream().filter(Root::active).findFirst().orElseThrow();
    }

    /** The index of the roots: the highest of their modify indexes, or of the last pruning (so it never goes down). */
    public synchronized long rootsIndex() {
        return Math.max(rootsIndex, roots.stream().mapToLong(Root::modifyIndex).max().orElse(0));
    }

    /** Runs {@code listener} on every change of the configuration (a root rotation among them); blocking queries wait on it. */
    public Runnable onChange(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Applies a new configuration; a new key type or size rotates the root.
     *
     * @return whether the root rotated
     * @throws IllegalArgumentException for a bad configuration
     */
    public boolean configure(CaConfig next) {
        boolean rotate;
        synchronized (configuring) {
            Root old;
            long index;
            synchronized (this) {
                rotate = config.needsNewRoot(next);
                old = active();
                index = nextIndex();
            }
            // The new root's key (seconds for RSA 4096) is made without the state's lock: the roots stay readable meanwhile.
            Root fresh = rotate ? newRoot(old, next, index) : null;
            synchronized (this) {
                if (rotate) {
                    roots.replaceAll(r -> r == old ? new Root(r.id(), r.name(), r.cert(), r.key(), r.intermediates(), false, r.keyType(),
                            r.keyBits(), r.createIndex(), nextIndex(), clock.instant()) : r);
                    roots.add(0, fresh);
                }
                config = next;
                configModifyIndex = nextIndex();
                save();
            }
        }
        listeners.forEach(Runnable::run);
        return rotate;
    }

    /**
     * The leaf of {@code service}: the one issued before while it is not due and its root is active,
     * else a new one.
     *
     * @throws RateLimitedException past CSRMaxPerSecond
     */
    public Leaf leaf(String service) {
        Root root;
        Duration ttl;
        Instant now = clock.instant();
        synchronized (this) {
            Leaf cached = leaves.get(service);
            root = active();
            ttl = config.leafTtl();
            if (cached != null && cached.rootId().equals(root.id()) && now.isBefore(cached.rotateAt())
                    && Duration.between(cached.validAfter(), cached.validBefore()).equals(ttl.plus(BACKDATE))) {
                return cached;
            }
            take();
        }
        // Key and signature without the state's lock: the CA's threads issue side by side, and the roots stay readable.
        SpiffeId id = SpiffeId.service(trustDomain, datacenter, service);
        KeyPair keys = CaCertificates.keys("ec", 256);
        Instant from = now.minus(BACKDATE);
        Instant until = now.plus(ttl);
        BigInteger serial = CaCertificates.serial();
        X509Certificate cert = CaCertificates.leaf(id, keys.getPublic(), root.cert(), root.key(), serial, from, until);
        StringBuilder chain = new StringBuilder(CaCertificates.pem(cert));
        root.intermediates().forEach(chain::append);
        long life = Duration.between(now, until).toMillis();
        Instant rotateAt = now.plusMillis((long) (life * ThreadLocalRandom.current().nextDouble(0.6, 0.9)));
        String keyPem = CaCertificates.pem(keys.getPrivate());
        synchronized (this) {
            long index = nextIndex();
            Leaf leaf = new Leaf(CaCertificates.colonHex(serial), chain.toString(), keyPem, service, id.uri(), from, until, index, index,
                    root.id(), rotateAt);
            leaves.put(service, leaf);
            return leaf;
        }
    }

    private void take() {
        long now = System.nanoTime();
        double rate = config.csrMaxPerSecond();
        tokens = Math.min(rate, tokens + (now - tokensAt) / 1e9 * rate);
        tokensAt = now;
        if (tokens < 1) {
            throw new RateLimitedException();
        }
        tokens -= 1;
    }

    private Root newRoot(Root old, CaConfig with, long index) {
        KeyPair keys = CaCertificates.keys(with.keyType(), with.keyBits());
        Instant now = clock.instant();
        X509Certificate cert = CaCertificates.root(keys, trustDomain, CaCertificates.serial(), now.minus(Duration.ofMinutes(1)),
                now.plus(with.rootTtl()));
        List<String> intermediates = old == null ? List.of()
                : List.of(CaCertificates.pem(CaCertificates.crossSign(cert, old.cert(), old.key(), trustDomain)));
        return new Root(CaCertificates.fingerprint(cert), "Consul CA Primary Cert", cert, keys.getPrivate(), intermediates, true,
                with.keyType(), with.keyBits(), index, index, null);
    }

    /** Indexes that never go down, across restarts too: at least the clock's millisecond. */
    private long nextIndex() {
        lastIndex = Math.max(lastIndex + 1, clock.millis());
        return lastIndex;
    }

    private void load() throws IOException {
        JsonObject state = new JsonObject(Files.readString(dir.resolve(STATE)));
        config = CaConfig.of(state.getJsonObject("Config").getMap());
        configCreateIndex = state.getLong("CreateIndex");
        configModifyIndex = state.getLong("ModifyIndex");
        lastIndex = state.getLong("LastIndex");
        rootsIndex = state.getLong("RootsIndex", 0L);
        for (Object o : state.getJsonArray("Roots")) {
            JsonObject r = (JsonObject) o;
            X509Certificate cert = CaCertificates.certificate(r.getString("RootCert"));
            PrivateKey key = CaCertificates.privateKey(Files.readString(keyFile(r.getString("ID"))));
            List<String> intermediates = r.getJsonArray("IntermediateCerts").stream().map(String::valueOf).toList();
            roots.add(new Root(r.getString("ID"), r.getString("Name"), cert, key, intermediates, r.getBoolean("Active"),
                    r.getString("PrivateKeyType"), r.getInteger("PrivateKeyBits"), r.getLong("CreateIndex"), r.getLong("ModifyIndex"),
                    r.getString("RotatedOutAt") == null ? null : Instant.parse(r.getString("RotatedOutAt"))));
        }
    }

    private void save() {
        JsonArray list = new JsonArray();
        try {
            for (Root r : roots) {
                Path key = keyFile(r.id());
                if (!Files.exists(key)) {
                    writePrivate(key, CaCertificates.pem(r.key()));
                }
                list.add(new JsonObject().put("ID", r.id()).put("Name", r.name()).put("RootCert", r.certPem())
                        .put("IntermediateCerts", new JsonArray(r.intermediates())).put("Active", r.active())
                        .put("PrivateKeyType", r.keyType()).put("PrivateKeyBits", r.keyBits()).put("CreateIndex", r.createIndex())
                        .put("ModifyIndex", r.modifyIndex())
                        .put("RotatedOutAt", r.rotatedOutAt() == null ? null : r.rotatedOutAt().toString()));
            }
            JsonObject state = new JsonObject().put("Config", new JsonObject(new LinkedHashMap<>(config.raw())))
                    .put("CreateIndex", configCreateIndex).put("ModifyIndex", configModifyIndex).put("LastIndex", lastIndex)
                    .put("RootsIndex", rootsIndex)
                    .put("Roots", list);
            Path tmp = dir.resolve(STATE + ".tmp");
            Files.writeString(tmp, state.encodePrettily());
            Files.move(tmp, dir.resolve(STATE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("the Connect CA cannot write " + dir + ": " + e.getMessage(), e);
        }
    }

    private Path keyFile(String rootId) {
        return dir.resolve("root-" + rootId.replace(":", "") + ".key");
    }

    private static void writePrivate(Path file, String content) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, content);
    }
}
