package io.compactor.actors.cluster;

import io.compactor.storage.util.StatusCode;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages a tablet replica's sharded entity ({@link ReplicaEntity}) accepts and answers; they
 * cross nodes as CBOR. A load: {@link Stage}, {@link PrepareAt}, then {@link Publish} or {@link Abort}.
 */
public interface ReplicaProtocol {

    interface Command extends CborSerializable {
    }

    /** Rows (chunk {@code chunk} of a load's rows for this tablet); answered on the last chunk. */
    public record Stage(long txnId, long tableId, String db, String label, int chunk, boolean last, byte[] rows,
                        ActorRef<Staged> replyTo) implements Command {
    }

    /** {@code code}: OK, LABEL_ALREADY_EXISTS or an error code. */
    public record Staged(long tabletId, String node, long txnId, StatusCode code, String msg) implements CborSerializable {
    }

    /** Reserve {@code version} for the staged load; {@code tablets} are all tablets of the load. */
    public record PrepareAt(long txnId, long version, List<Long> tablets, ActorRef<Prepared> replyTo)
            implements Command {
    }

    /** How a replica answered {@link PrepareAt}. */
    public enum PrepareAnswer {
        /** The version is reserved. */
        PREPARED,
        /** The replica's chain does not end right below the load's version ({@code localVersion} says where). */
        LAGGING,
        /** Anything else; {@code msg} holds the status. */
        FAILED
    }

    public record Prepared(long tabletId, String node, long txnId, PrepareAnswer answer, long localVersion, String msg)
            implements CborSerializable {
    }

    public record Publish(long txnId, long version, String db, String label, long loadedRows, long filteredRows,
                          ActorRef<Published> replyTo) implements Command {
    }

    public record Published(long tabletId, String node, long txnId, StatusCode code, String msg)
            implements CborSerializable {
    }

    /** Drop the load's staged or prepared rowset (no answer). */
    public record Abort(long txnId) implements Command {
    }

    public record GetState(ActorRef<State> replyTo) implements Command {
    }

    /**
     * @param present     whether this node has the replica at all
     * @param version     end of its visible version chain
     * @param preparedTxn the load holding a reservation (0 for none) with its version, label, tablets
     */
    public record State(long tabletId, String node, boolean present, long version, long preparedTxn,
                        long preparedVersion, String db, String label, List<Long> preparedTablets)
            implements CborSerializable {
    }

    public record HasLabel(String db, String label, ActorRef<LabelAnswer> replyTo) implements Command {
    }

    /** {@code txnId}: the txn that committed the label on this node, 0 if none did. */
    public record LabelAnswer(String node, long txnId) implements CborSerializable {
    }

    /** A read of this replica: {@code kind}: count, scan (up to {@code limit}) or get ({@code key} row). */
    /** What a {@link Read} asks of a replica. */
    enum ReadKind { COUNT, SCAN, GET }

    public record Read(ReadKind kind, long limit, byte[] key, ActorRef<ReadAnswer> replyTo) implements Command {
    }

    public record ReadAnswer(long tabletId, long version, long count, byte[] rows, StatusCode code, String msg)
            implements CborSerializable {
    }

    /** Copy missing rowsets from {@code peer}; answers the version afterwards. */
    public record CatchUp(long peerReplicaId, String peerNode, String peerHttp, ActorRef<CaughtUp> replyTo)
            implements Command {
    }

    public record CaughtUp(long tabletId, String node, long version, StatusCode code, String msg)
            implements CborSerializable {
    }

    /** The designated replica of this tablet committed a compaction (single-replica followers fetch). */
    public record PeerCompacted(String from) implements Command {
    }
}
