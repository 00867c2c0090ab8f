package io.hypermesh.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports for servers that must know theirs before they bind (to advertise it, or to pass it on). */
public final class FreePorts {
    private FreePorts() {
    }

    /** A port that is free on loopback right now. */
    public static int onLoopback() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on loopback", e);
        }
    }
}
