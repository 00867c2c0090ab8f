package io.hypermesh.streams.connect;

import java.util.Locale;

/**
 * A Connect service identity, as the SAN URI of a leaf certificate carries it:
 * {@code spiffe://<trust-domain>/ns/<namespace>/dc/<datacenter>/svc/<service>} (or with
 * {@code /ap/<partition>} first, as Consul writes for a non-default partition). Anything else
 * under {@code spiffe://} is a Connect identifier of another kind (an agent, a server, a gateway).
 */
public record SpiffeId(String trustDomain, String partition, String namespace, String datacenter, String service) {
    public static final String DEFAULT = "default";
    private static final String SCHEME = "spiffe://";

    /** Why a URI is not a service identity, in Consul's words. */
    public static final class NotAServiceException extends IllegalArgumentException {
        NotAServiceException(String message) {
            super(message);
        }
    }

    public static SpiffeId service(String trustDomain, String datacenter, String service) {
        return new SpiffeId(trustDomain, DEFAULT, DEFAULT, datacenter, service);
    }

    /**
     * @throws NotAServiceException "ClientCertURI not a valid Connect identifier" when it is no
     *                              spiffe URI, "... not a valid Service identifier" when it names
     *                              something other than a service
     */
    public static SpiffeId parse(String text) {
        // By hand rather than java.net.URI: authorize parses one per call (a fifth of its time).
        if (text == null || text.length() > 2048 || !text.startsWith(SCHEME) || !plain(text)) {
            throw new NotAServiceException("ClientCertURI not a valid Connect identifier");
        }
        int slash = text.indexOf('/', SCHEME.length());
        String authority = slash < 0 ? text.substring(SCHEME.length()) : text.substring(SCHEME.length(), slash);
        if (authority.isEmpty()) {
            throw new NotAServiceException("ClientCertURI not a valid Connect identifier");
        }
        String[] parts = slash < 0 ? new String[]{""} : text.substring(slash).split("/", -1);
        // "", ["ap", p,] "ns", n, "dc", d, "svc", s
        int at = parts.length == 9 && "ap".equals(parts[1]) ? 3 : 1;
        String partition = at == 3 ? parts[2] : DEFAULT;
        if (parts.length != at + 6 || !"ns".equals(parts[at]) || !"dc".equals(parts[at + 2]) || !"svc".equals(parts[at + 4])
                || parts[at + 1].isEmpty() || parts[at + 3].isEmpty() || parts[at + 5].isEmpty()) {
            throw new NotAServiceException("ClientCertURI not a valid Service identifier");
        }
        return new SpiffeId(authority.toLowerCase(Locale.ROOT), partition, parts[at + 1], parts[at + 3], parts[at + 5]);
    }

    /** Printable ASCII without escapes, a query or a fragment: what a SPIFFE ID is made of. */
    private static boolean plain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '%' || c == '?' || c == '#') {
                return false;
            }
        }
        return true;
    }

    public String uri() {
        String ap = DEFAULT.equals(partition) ? "" : "/ap/" + partition;
        return "spiffe://" + trustDomain + ap + "/ns/" + namespace + "/dc/" + datacenter + "/svc/" + service;
    }
}
