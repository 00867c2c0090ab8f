package io.hypermesh.streams.api.peer;

import io.vertx.core.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Names who holds a partition with an open transaction, as the broker tells it: the producers
 * with a transaction open there, and their transactional ids. Used to say why a write is not yet
 * visible, instead of only that it is not.
 */
public final class TransactionHolders implements AutoCloseable {
    private final Admin admin;

    public TransactionHolders(Map<String, Object> clientConfig) {
        this.admin = Admin.create(clientConfig);
    }

    /** A sentence naming the open transactions on {@code partition}, or null when there is none. */
    Future<String> describe(TopicPartition partition) {
        return Future.fromCompletionStage(admin.describeProducers(List.of(partition)).partitionResult(partition).toCompletionStage())
                .compose(state -> {
                    List<ProducerState> open = state.activeProducers().stream()
                            .filter(p -> p.currentTransactionStartOffset().isPresent()).toList();
                    if (open.isEmpty()) {
                        return Future.succeededFuture((String) null);
                    }
                    Set<Long> ids = open.stream().map(ProducerState::producerId).collect(Collectors.toSet());
                    return Future.fromCompletionStage(admin.listTransactions(new ListTransactionsOptions().filterProducerIds(ids))
                                    .all().toCompletionStage())
                            .recover(e -> Future.succeededFuture(List.of()))
                            .map(listings -> sentence(partition, open, listings));
                });
    }

    private static String sentence(TopicPartition partition, List<ProducerState> open, java.util.Collection<TransactionListing> listings) {
        Map<Long, String> names = listings.stream().collect(Collectors.toMap(TransactionListing::producerId,
                TransactionListing::transactionalId, (a, b) -> a));
        String who = open.stream().map(p -> (names.containsKey(p.producerId()) ? "transactional id '" + names.get(p.producerId()) + "'"
                        : "producer " + p.producerId()) + " (open since offset " + p.currentTransactionStartOffset().getAsLong() + ")")
                .collect(Collectors.joining(", "));
        return "partition " + partition + " is held by an open transaction of " + who
                + "; readers wait until it commits, aborts, or the broker times it out";
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(1));
    }
}
