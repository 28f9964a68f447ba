package io.compactor.actors.cluster;

import io.compactor.storage.util.StatusCode;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages a tablet replica's sharded entity ({@link ReplicaEntity}) accepts and answers; they
 * cross nodes as CBOR. A load: {@link Stage} (rows written, nothing visible), then, once the meta
 * log decided it, {@link Publish} at the version the log gave it, or {@link Abort} once the log
 * aborted it.
 */
public interface ReplicaProtocol {

    interface Command extends CborSerializable {
    }

    /**
     * Rows (chunk {@code chunk} of a load's rows for this tablet); answered on the last chunk.
     * {@code checksum}, on the last chunk, is the CRC32C of all chunks' bytes in order: the replica
     * refuses rows that do not match it.
     */
    public record Stage(long txnId, long tableId, String db, String label, int chunk, boolean last, byte[] rows,
                        long checksum, ActorRef<Staged> replyTo) implements Command {
    }

    /** {@code code}: OK or an error code. */
    public record Staged(long tabletId, String node, long txnId, StatusCode code, String msg) implements CborSerializable {
    }

    /**
     * Make the committed load visible on this replica at {@code version} (the meta log's decision)
     * with the content identity the log recorded; refused when the replica's own copy of the log
     * says otherwise.
     */
    public record Publish(long txnId, long version, long contentId, String db, String label, long loadedRows,
                          long filteredRows, ActorRef<Published> replyTo) implements Command {
    }

    /** How a replica answered {@link Publish}. */
    public enum PublishAnswer {
        /** The version is published here (now or before). */
        DONE,
        /** This replica is below {@code version - 1}: the loads before it must be published first. */
        BEHIND,
        /** This replica does not hold the load's rows (it missed the load): it must catch up from a peer. */
        MISSING,
        /** Anything else ({@code msg}); worth another try. */
        FAILED
    }

    public record Published(long tabletId, String node, long txnId, PublishAnswer answer, long localVersion,
                            String msg) implements CborSerializable {
    }

    /** Drop the load's staged rows (the log aborted it; no answer). */
    public record Abort(long txnId) implements Command {
    }

    public record GetState(ActorRef<State> replyTo) implements Command {
    }

    /**
     * @param present whether this node has the replica at all
     * @param version end of its visible version chain
     */
    public record State(long tabletId, String node, boolean present, long version) implements CborSerializable {
    }

    /** What a {@link Read} asks of a replica. */
    enum ReadKind { COUNT, SCAN, GET }

    /** A read of this replica as of {@code version}: count, scan (up to {@code limit}) or get ({@code key} row). */
    public record Read(ReadKind kind, long limit, byte[] key, long version, ActorRef<ReadAnswer> replyTo)
            implements Command {
    }

    /** {@code code} NOT_FOUND: this replica can not show that version (it is behind, or compacted across it). */
    public record ReadAnswer(long tabletId, long version, long count, byte[] rows, StatusCode code, String msg)
            implements CborSerializable {
    }

    /**
     * Copy missing rowsets from {@code peer} ({@code wholeChain}: replace this replica's chain with
     * the peer's); answers the version afterwards.
     */
    public record CatchUp(long peerReplicaId, String peerNode, String peerHttp, boolean wholeChain,
                          ActorRef<CaughtUp> replyTo) implements Command {
    }

    public record CaughtUp(long tabletId, String node, long version, StatusCode code, String msg)
            implements CborSerializable {
    }

    /** The tablet's visible version is now at least {@code version}: compaction may take it in. */
    public record Visible(long version) implements Command {
    }

    /** The designated replica of this tablet committed a compaction (single-replica followers fetch). */
    public record PeerCompacted(String from) implements Command {
    }
}
