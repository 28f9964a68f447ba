package io.compactor.actors.node;

import io.compactor.api.GroupCommitMode;
import io.compactor.api.LoadResult;
import io.compactor.api.Loads;
import io.compactor.storage.load.LoadOptions;
import java.util.concurrent.CompletionStage;

/** {@link Loads} of a node: its stream loader. */
final class NodeLoads implements Loads {
    private final Node node;

    NodeLoads(Node node) {
        this.node = node;
    }

    @Override
    public CompletionStage<LoadResult> streamLoad(String db, String table, byte[] body, LoadOptions options,
                                                  String label) {
        return node.loader.load(db, table, body, options, label);
    }

    @Override
    public CompletionStage<LoadResult> streamLoad(String db, String table, byte[] body, LoadOptions options,
                                                  String label, GroupCommitMode groupCommit) {
        return node.loader.load(db, table, body, options, label, groupCommit);
    }

    @Override
    public CompletionStage<LoadResult> streamLoad(String db, String table, byte[] body,
                                                  io.compactor.api.StreamLoadRequest request) {
        return node.loader.load(db, table, body, request);
    }

    @Override
    public CompletionStage<io.compactor.api.TwoPhaseResult> operateTwoPhase(String db, Long txnId, String label,
                                                                             boolean commit) {
        return node.loader.twoPhase().operate(db, txnId, label, commit)
                .thenApply(o -> new io.compactor.api.TwoPhaseResult(o.status(), o.txnId()));
    }

    @Override
    public java.util.List<io.compactor.api.PreparedLoad> preparedLoads(String db) {
        node.loader.twoPhase().expire();
        return node.loader.twoPhase().list(db);
    }

    @Override
    public java.util.Optional<String> errorLog(String file) {
        return node.loader.errorLogs().read(file);

    }

    @Override
    public boolean saturated() {
        return node.loader.saturated();
    }
}
