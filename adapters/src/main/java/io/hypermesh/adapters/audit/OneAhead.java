package io.hypermesh.adapters.audit;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A two-stage pipeline in order: {@code prepare} of the next batch runs on its own thread while
 * the caller's thread runs {@code check} on the batch before. Verification uses it so decoding and
 * leaf hashing (independent per record) overlap the chain and tree checks (which are sequential).
 */
public final class OneAhead<I, O> implements AutoCloseable {
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "audit-prepare");
        t.setDaemon(true);
        return t;
    });
    private final Function<I, O> prepare;
    private final Consumer<O> check;
    private Future<O> pending;

    public OneAhead(Function<I, O> prepare, Consumer<O> check) {
        this.prepare = prepare;
        this.check = check;
    }

    /** Starts preparing {@code batch}, then checks the batch before it (if any) on this thread. */
    public void accept(I batch) {
        Future<O> next = worker.submit(() -> prepare.apply(batch));
        drain();
        pending = next;
    }

    /** Checks the last batch. */
    public void finish() {
        drain();
    }

    private void drain() {
        if (pending == null) {
            return;
        }
        O prepared;
        try {
            prepared = pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing a batch", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pending = null;
        }
        check.accept(prepared);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
