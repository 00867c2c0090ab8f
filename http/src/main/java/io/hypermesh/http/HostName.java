package io.hypermesh.http;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** This machine's name, one rule for every default that uses it (node name, component ids, adapter ids). */
public final class HostName {
    private HostName() {
    }

    /** The name the resolver gives this host; {@code $HOSTNAME} when it gives none; else {@code localhost}. */
    public static String local() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env != null && !env.isBlank() ? env : "localhost";
        }
    }
}
