package io.hypermesh.coordinator.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;

/** Keeps a long-running command alive until Ctrl-C or SIGTERM, then closes what it started, in order. */
final class UntilStopped {
    private UntilStopped() {
    }

    static void await(PrintWriter out, String what, AutoCloseable... resources) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("stopping...");
            out.flush();
            for (AutoCloseable resource : resources) {
                try {
                    resource.close();
                } catch (Exception e) {
                    out.println("error while stopping: " + e.getMessage());
                }
            }
            out.println(what + " stopped.");
            out.flush();
            stopped.countDown();
        }, "hypermesh-shutdown"));
        stopped.await();
    }
}
