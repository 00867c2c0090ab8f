package io.hypermesh.platform.registry.service;

import java.util.List;
import java.util.Locale;

/**
 * The registry's answer types, chosen from a request's {@code Accept} as Confluent's registry
 * chooses them: its own v1 type first (server quality 0.9), then the unversioned one (0.8), then
 * plain JSON (0.5), each weighed by the client's q. Nothing acceptable is a 406.
 */
final class MediaTypes {
    static final String V1 = "application/vnd.schemaregistry.v1+json";
    static final String DEFAULT = "application/vnd.schemaregistry+json";
    static final String JSON = "application/json";
    private static final List<String> OFFERED = List.of(V1, DEFAULT, JSON);
    private static final double[] SERVER_QUALITY = {0.9, 0.8, 0.5};

    private MediaTypes() {
    }

    /** The type to answer in, or null when the client accepts none of them. No {@code Accept} accepts anything. */
    static String choose(String accept) {
        if (accept == null || accept.isBlank()) {
            return V1;
        }
        String best = null;
        double bestScore = 0;
        for (int i = 0; i < OFFERED.size(); i++) {
            double score = clientQuality(accept, OFFERED.get(i)) * SERVER_QUALITY[i];
            if (score > bestScore) {
                best = OFFERED.get(i);
                bestScore = score;
            }
        }
        return best;
    }

    /** The q the client gives {@code offered}: from its most specific matching range (exact, then type/*, then * /*). */
    static double clientQuality(String accept, String offered) {
        String type = offered.substring(0, offered.indexOf('/'));
        double quality = 0;
        int specificity = -1;
        for (String range : accept.split(",")) {
            String[] parts = range.trim().split(";");
            String mediaRange = parts[0].trim().toLowerCase(Locale.ROOT);
            int rangeSpecificity = mediaRange.equals(offered) ? 2 : mediaRange.equals(type + "/*") ? 1 : mediaRange.equals("*/*")
                    || mediaRange.equals("*") ? 0 : -1;
            if (rangeSpecificity > specificity) {
                specificity = rangeSpecificity;
                quality = q(parts);
            }
        }
        return quality;
    }

    private static double q(String[] parameters) {
        for (int p = 1; p < parameters.length; p++) {
            String[] kv = parameters[p].trim().split("=", 2);
            if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("q")) {
                try {
                    double q = Double.parseDouble(kv[1].trim());
                    return q < 0 || q > 1 ? 0 : q;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
