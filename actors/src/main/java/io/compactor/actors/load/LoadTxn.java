package io.compactor.actors.load;

import io.compactor.actors.tablet.TabletActor;
import io.compactor.actors.tablet.TabletWrite;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A load ready to commit: every tablet's written (not yet visible) rowset.
 *
 * @param txnId        transaction id
 * @param db           database
 * @param label        idempotency key
 * @param tableId      table loaded
 * @param rowsets      tablet id to its written part (every tablet of the table, empty ones included)
 * @param tablets      tablet id to its actor
 * @param loadedRows   rows to make visible
 * @param filteredRows rows filtered out
 * @param deadlineNanos {@link System#nanoTime()} after which the committer must not commit it: the
 *                      caller stops waiting a margin later, so a load it reports as failed can
 *                      never become visible afterwards
 */
public record LoadTxn(long txnId, String db, String label, long tableId, Map<Long, TabletWrite> rowsets,
                      Map<Long, ActorRef<TabletActor.Command>> tablets, long loadedRows, long filteredRows, long deadlineNanos) {
}
