package io.hypermesh.coordinator.run;

/** This coordinator is no longer the active one (another took over, or it was fenced); it must stop acting. */
public final class LostLeadershipException extends RuntimeException {
    public LostLeadershipException(String message, Throwable cause) {
        super(message, cause);
    }
}
