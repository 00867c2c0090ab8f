package io.hypermesh.coordinator.spec;

import java.util.List;

/** A platform spec refused: every problem found, each as "file:line:column: cause". */
public final class SpecException extends RuntimeException {
    private final List<String> problems;

    public SpecException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
