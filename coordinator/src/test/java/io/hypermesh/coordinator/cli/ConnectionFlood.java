package io.hypermesh.coordinator.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A client that opens many TCP connections to one port from one local address and holds them,
 * run as a process of its own so that its sockets count against its own file limit, not the
 * test's or the bus's. Prints "opened N failed M" once done, then holds until its stdin closes.
 */
public final class ConnectionFlood {
    private ConnectionFlood() {
    }

    public static void main(String[] args) throws IOException {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String from = args[2];
        int count = Integer.parseInt(args[3]);
        List<Socket> held = new ArrayList<>();
        int failed = 0;
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            try {
                socket.bind(new InetSocketAddress(from, 0));
                socket.connect(new InetSocketAddress(host, port), 2_000);
                held.add(socket);
            } catch (IOException e) {
                failed++;
                socket.close();
            }
        }
        System.out.println("opened " + held.size() + " failed " + failed);
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold every connection until the test lets go
        }
        for (Socket s : held) {
            s.close();
        }
    }
}
