package io.hypermesh.adapters;

/** What an external system sent cannot be turned into an event; the message says why, for a 4xx or a dead letter. */
public final class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
