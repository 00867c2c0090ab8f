package io.hypermesh.streams;

import java.time.Duration;

/**
 * The query API's bulkheads: what one client, and all of them together, may hold of the process
 * that also runs the broker, the registry and the folds. Past a limit a request is refused with a
 * reason (429 for one client over its share, 503 for the instance full), never queued without
 * bound. "Client" is the remote address, so clients behind one proxy share a share.
 *
 * @param watchersPerClient        blocking queries and event streams one client may hold open
 * @param streamsPerClient         of those, event streams (each renders its view on every change)
 * @param answersInFlight          answers being built or written at once, all clients together
 * @param answersInFlightPerClient answers being built or written at once for one client
 * @param answerBytesInFlight      bytes of answers rendered and not yet taken by their clients
 * @param slowReaderTimeout        how long a client may leave its answer unread before its connection is closed
 * @param renderThreads            worker threads that render answers (off the event loop)
 * @param connections              open connections the API's listener takes; more are answered 503 and closed
 * @param connectionsPerClient     open connections one client may hold to the API
 */
public record ApiLimits(int watchersPerClient, int streamsPerClient, int answersInFlight, int answersInFlightPerClient,
                        long answerBytesInFlight, Duration slowReaderTimeout, int renderThreads, int connections,
                        int connectionsPerClient) {
    public static final ApiLimits DEFAULTS = new ApiLimits(256, 16, 64, 16, 256L * 1024 * 1024, Duration.ofSeconds(30),
            Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 4_096, 512);

    public ApiLimits {
        if (watchersPerClient < 1 || streamsPerClient < 1 || answersInFlight < 1 || answersInFlightPerClient < 1 || renderThreads < 1
                || connections < 1
                || connectionsPerClient < 1) {
            throw new IllegalArgumentException("every API limit must be at least 1: " + this);
        }
        if (answerBytesInFlight < 1024 * 1024) {
            throw new IllegalArgumentException("answer bytes in flight must be at least 1 MiB, was " + answerBytesInFlight);
        }
        if (slowReaderTimeout.isNegative() || slowReaderTimeout.isZero()) {
            throw new IllegalArgumentException("the slow reader timeout must be positive, was " + slowReaderTimeout);
        }
    }

    public ApiLimits withStreamsPerClient(int n) {
        return new ApiLimits(watchersPerClient, n, answersInFlight, answersInFlightPerClient, answerBytesInFlight, slowReaderTimeout,
                renderThreads, connections, connectionsPerClient);
    }

    public ApiLimits withAnswers(int total, int perClient, long bytes, Duration slowReader) {
        return new ApiLimits(watchersPerClient, streamsPerClient, total, perClient, bytes, slowReader, renderThreads, connections,
                connectionsPerClient);
    }
}
