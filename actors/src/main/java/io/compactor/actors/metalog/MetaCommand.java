package io.compactor.actors.metalog;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;

/**
 * The entries of the cluster's replicated meta log and the read-only questions asked of it. Every
 * entry is applied by {@link MetaState} in log order on every voter, so an entry carries whatever
 * the decision depends on (the proposer's clock included): applying it never reads a local clock.
 * Entries and questions travel as JSON with their type in {@code op}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
@JsonSubTypes({
        @JsonSubTypes.Type(value = MetaCommand.CreateTable.class, name = "create"),
        @JsonSubTypes.Type(value = MetaCommand.DropTable.class, name = "drop"),
        @JsonSubTypes.Type(value = MetaCommand.AlterTable.class, name = "alter"),
        @JsonSubTypes.Type(value = MetaCommand.BeginTxn.class, name = "begin"),
        @JsonSubTypes.Type(value = MetaCommand.CommitTxn.class, name = "commit"),
        @JsonSubTypes.Type(value = MetaCommand.AbortTxn.class, name = "abort"),
        @JsonSubTypes.Type(value = MetaCommand.PublishedTxn.class, name = "published"),
        @JsonSubTypes.Type(value = MetaCommand.MarkReplica.class, name = "mark"),
        @JsonSubTypes.Type(value = MetaCommand.MoveReplica.class, name = "move"),
        @JsonSubTypes.Type(value = MetaCommand.GetCatalog.class, name = "q-catalog"),
        @JsonSubTypes.Type(value = MetaCommand.GetVisible.class, name = "q-visible"),
        @JsonSubTypes.Type(value = MetaCommand.GetTxn.class, name = "q-txn"),
        @JsonSubTypes.Type(value = MetaCommand.GetChain.class, name = "q-chain")
})
public sealed interface MetaCommand {

    /** Whether this is a question (answered by a linearizable read, never written to the log). */
    default boolean isQuery() {
        return false;
    }

    /**
     * A new table: {@code table} is its meta-store JSON with the placement decided by the proposer;
     * the log gives it its table id and tablet ids (above every id ever handed out).
     */
    record CreateTable(byte[] table) implements MetaCommand {
    }

    record DropTable(String db, String name, long nowMs) implements MetaCommand {
    }

    record AlterTable(String db, String name, Map<String, String> changes) implements MetaCommand {
    }

    /**
     * A load starts: its label is taken (refused when a running or finished load holds it), and
     * unless it commits before {@code nowMs + timeoutMs} the leader aborts it.
     */
    record BeginTxn(long txnId, String db, String label, long tableId, String coordinator, long nowMs,
                    long timeoutMs) implements MetaCommand {
    }

    /**
     * The decision: the load is committed and each tablet gets its next version, with the content
     * identity of the rows the replicas staged ({@code contentIds}: tablet id -> identity). Refused
     * (the answer says ABORTED) unless the load is still running.
     */
    record CommitTxn(long txnId, Map<Long, Long> contentIds, long loadedRows, long filteredRows, long nowMs)
            implements MetaCommand {
    }

    /** Aborts a running load; a committed one stays committed (the answer says so). */
    record AbortTxn(long txnId, String reason) implements MetaCommand {
    }

    /**
     * A majority of every tablet's replicas published the committed load. It becomes visible with
     * it, or once the loads committed before it on its tablets are visible.
     */
    record PublishedTxn(long txnId) implements MetaCommand {
    }

    /** A replica is bad (its content disagrees with the log, or it is new) or good again (cloned). */
    record MarkReplica(long tabletId, String node, boolean bad, String reason) implements MetaCommand {
    }

    /** The replica of {@code tabletId} on {@code from} (a node gone too long) is re-created on {@code to}. */
    record MoveReplica(long tabletId, String from, String to, String reason) implements MetaCommand {
    }

    // ---- questions

    record GetCatalog() implements MetaCommand {
        @Override
        public boolean isQuery() {
            return true;
        }
    }

    /** The visible version of each tablet of the table (all in one state of the log). */
    record GetVisible(long tableId) implements MetaCommand {
        @Override
        public boolean isQuery() {
            return true;
        }
    }

    record GetTxn(long txnId) implements MetaCommand {
        @Override
        public boolean isQuery() {
            return true;
        }
    }

    /**
     * The content identities a replica's rowsets must have: for each version range
     * {@code [ranges[2i], ranges[2i+1]]} of the tablet, the identity of a rowset holding exactly
     * those versions.
     */
    record GetChain(long tabletId, List<Long> ranges) implements MetaCommand {
        @Override
        public boolean isQuery() {
            return true;
        }
    }
}
