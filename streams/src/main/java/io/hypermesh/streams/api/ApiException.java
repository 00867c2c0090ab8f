package io.hypermesh.streams.api;

/** A request the API refuses, with the HTTP status and the reason given to the caller. */
public final class ApiException extends RuntimeException {
    final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    public int status() {
        return status;
    }
}
