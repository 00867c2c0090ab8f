package io.hypermesh.connectors;

/** The version every connector and task reports to the worker. */
public final class Versions {
    public static final String VERSION = "0.1.0";

    private Versions() {
    }
}
