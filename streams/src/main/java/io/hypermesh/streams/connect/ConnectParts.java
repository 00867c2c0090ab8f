package io.hypermesh.streams.connect;

import io.hypermesh.streams.AppliedOffsets;

/**
 * What an instance holds for Connect: the intentions (folded into {@code book}, each applied offset
 * told to {@code applied}), the CA, and the decision log.
 */
public record ConnectParts(IntentionBook book, AppliedOffsets applied, ConnectCa ca, DecisionLog decisions) {
}
