package io.compactor.actors.tablet;

import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import java.util.Set;

/**
 * One tablet's written, not yet committed part of a load.
 *
 * @param rowset the files
 * @param delta  merge-on-write: the rows it supersedes, computed against {@code basis} (version 0
 *               until commit); {@code null} for other tables
 * @param basis  the visible rowsets the delta was computed against
 */
public record TabletWrite(PendingRowset rowset, DeleteBitmap delta, Set<RowsetId> basis) {
}
