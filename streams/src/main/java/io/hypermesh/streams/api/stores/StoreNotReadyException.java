package io.hypermesh.streams.api.stores;

/** A store (or the instance owning a key) cannot answer right now: rebalancing, restoring, or moved. Retried, then a 503. */
public final class StoreNotReadyException extends RuntimeException {
    public StoreNotReadyException(String message) {
        super(message);
    }
}
