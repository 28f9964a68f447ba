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
    public boolean saturated() {
        return node.loader.saturated();
    }
}
