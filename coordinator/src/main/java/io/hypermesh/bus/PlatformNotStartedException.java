package io.hypermesh.bus;

import java.util.List;

/** The bus core started, but its coordinator rolled the platform back: everything started was stopped. */
public final class PlatformNotStartedException extends IllegalStateException {
    private final List<String> reasons;

    public PlatformNotStartedException(List<String> reasons) {
        super("the platform did not start: " + reasons);
        this.reasons = List.copyOf(reasons);
    }

    /** The coordinator's reasons, one per component that failed. */
    public List<String> reasons() {
        return reasons;
    }
}
