package io.hypermesh.streams.connect;

import java.nio.file.Path;

/**
 * How this instance serves Connect.
 *
 * @param caDir         where the CA keeps its roots and keys (the bus's PKI folder); null for the
 *                      folds' state folder
 * @param defaultPolicy what authorize answers when no intention matches: allow on an open bus,
 *                      deny on a secured one
 * @param decisions     which decisions go to {@code hypermesh.decisions}
 */
public record ConnectSettings(Path caDir, IntentionBook.DefaultPolicy defaultPolicy, DecisionLog.Mode decisions) {
    public static final ConnectSettings DEFAULTS = new ConnectSettings(null, IntentionBook.DefaultPolicy.ALLOW, DecisionLog.Mode.OFF);

    public ConnectSettings {
        if (defaultPolicy == null || decisions == null) {
            throw new IllegalArgumentException("Connect needs a default policy and a decision log mode");
        }
    }
}
