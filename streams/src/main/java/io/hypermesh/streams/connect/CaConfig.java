package io.hypermesh.streams.connect;

import io.hypermesh.http.GoDuration;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Connect CA's configuration, Consul's built-in provider's keys: LeafCertTTL (72h by default, 1h
 * to 8760h), RotationPeriod, IntermediateCertTTL, RootCertTTL, PrivateKeyType (ec or rsa),
 * PrivateKeyBits and CSRMaxPerSecond. A change of key type or bits makes a new root.
 */
public record CaConfig(Duration leafTtl, Duration rootTtl, String keyType, int keyBits, double csrMaxPerSecond,
                       Map<String, Object> raw) {
    public static final String PROVIDER = "consul";
    private static final Set<String> KNOWN = Set.of("LeafCertTTL", "RotationPeriod", "IntermediateCertTTL", "RootCertTTL",
            "PrivateKeyType", "PrivateKeyBits", "CSRMaxPerSecond", "CSRMaxConcurrent", "PrivateKey", "RootCert");

    public static CaConfig defaults() {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("LeafCertTTL", "72h");
        raw.put("RotationPeriod", "2160h");
        raw.put("IntermediateCertTTL", "8760h");
        raw.put("RootCertTTL", "87600h");
        raw.put("PrivateKeyType", "ec");
        raw.put("PrivateKeyBits", 256);
        raw.put("CSRMaxPerSecond", 50);
        raw.put("CSRMaxConcurrent", 0);
        return of(raw);
    }

    /**
     * Reads a provider's Config map, what is not given keeping its default.
     *
     * @throws IllegalArgumentException with the reason, as Consul words it where it has words
     */
    public static CaConfig of(Map<String, Object> given) {
        Map<String, Object> raw = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : given.entrySet()) {
            if (!KNOWN.contains(e.getKey())) {
                throw new IllegalArgumentException("unknown CA config key \"" + e.getKey() + "\"; known: " + KNOWN);
            }
            raw.put(e.getKey(), e.getValue());
        }
        if (raw.containsKey("PrivateKey") || raw.containsKey("RootCert")) {
            throw new IllegalArgumentException("PrivateKey and RootCert are not supported: the bus makes its own roots (change "
                    + "PrivateKeyType or PrivateKeyBits to rotate)");
        }
        Duration leaf = duration(raw, "LeafCertTTL", "72h");
        if (leaf.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("leaf cert TTL must be greater or equal than 1h0m0s");
        }
        if (leaf.compareTo(Duration.ofHours(8760)) > 0) {
            throw new IllegalArgumentException("leaf cert TTL must be less than 8760h0m0s");
        }
        duration(raw, "RotationPeriod", "2160h");
        duration(raw, "IntermediateCertTTL", "8760h");
        Duration root = duration(raw, "RootCertTTL", "87600h");
        if (root.compareTo(leaf) <= 0) {
            throw new IllegalArgumentException("root cert TTL must be longer than the leaf cert TTL");
        }
        String type = String.valueOf(raw.getOrDefault("PrivateKeyType", "ec"));
        int bits = integer(raw, "PrivateKeyBits", "ec".equals(type) ? 256 : 2048);
        if ("ec".equals(type)) {
            if (bits != 256 && bits != 384) {
                throw new IllegalArgumentException("EC key length must be one of (256, 384) bits");
            }
        } else if ("rsa".equals(type)) {
            if (bits != 2048 && bits != 4096) {
                throw new IllegalArgumentException("RSA key length must be 2048 or 4096 bits");
            }
        } else {
            throw new IllegalArgumentException("private key type must be either 'ec' or 'rsa'");
        }
        int rate = integer(raw, "CSRMaxPerSecond", 50);
        if (rate < 0 || rate > 10_000) {
            throw new IllegalArgumentException("CSRMaxPerSecond must be 0 (the bus's limit, 50) to 10000");
        }
        raw.putIfAbsent("LeafCertTTL", "72h");
        raw.put("PrivateKeyType", type);
        raw.put("PrivateKeyBits", bits);
        return new CaConfig(leaf, root, type, bits, rate == 0 ? 50 : rate, Map.copyOf(raw));
    }

    /** Whether moving to {@code next} needs a new root. */
    public boolean needsNewRoot(CaConfig next) {
        return !keyType.equals(next.keyType) || keyBits != next.keyBits;
    }

    private static Duration duration(Map<String, Object> raw, String key, String fallback) {
        Object v = raw.getOrDefault(key, fallback);
        try {
            if (v instanceof Number n) {
                // Consul's decoder reads a bare number as nanoseconds.
                return Duration.ofNanos(n.longValue());
            }
            return Duration.ofNanos(GoDuration.parseNanos(String.valueOf(v)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("error decoding config: " + key + ": invalid duration \"" + v + "\"");
        }
    }

    private static int integer(Map<String, Object> raw, String key, int fallback) {
        Object v = raw.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(String.valueOf(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("error decoding config: " + key + ": not an integer: " + v);
        }
    }
}
