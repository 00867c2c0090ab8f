package io.hypermesh.streams.connect;

import org.apache.kafka.common.Uuid;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** The Connect trust domain's cluster part: the Kafka cluster's id, as the UUID Consul's trust domains are made of. */
public final class TrustDomains {
    private TrustDomains() {
    }

    /** Kafka's base64 cluster id as a UUID; an id of another form is hashed into one, so it stays the same for the cluster. */
    public static String of(String kafkaClusterId) {
        try {
            Uuid id = Uuid.fromString(kafkaClusterId);
            return new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits()).toString();
        } catch (IllegalArgumentException e) {
            return UUID.nameUUIDFromBytes(kafkaClusterId.getBytes(StandardCharsets.UTF_8)).toString();
        }
    }
}
