package io.compactor.actors.cluster;

import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/** The messages a table's load coordinator ({@link TableTxn}) accepts and answers; they cross nodes. */
public interface TableTxnProtocol {

    interface Command extends CborSerializable {
    }

    /** Commit a staged load: {@code staged} = tablet id -> nodes whose replica staged the rows. */
    public record Commit(long txnId, String db, String label, long loadedRows, long filteredRows,
                         Map<Long, List<String>> staged, ActorRef<Outcome> replyTo) implements Command {
    }

    /** What became of a load; unknown loads are aborted (after looking for them on the replicas). */
    public record Resolve(long txnId, ActorRef<Outcome> replyTo) implements Command {
    }

    /** A node (re)joined: look at its replicas again. */
    public record NodeUp(String node) implements Command {
    }

    public record Outcome(long txnId, TxnState state, String msg) implements CborSerializable {
    }
}
