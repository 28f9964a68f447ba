package io.compactor.actors.tablet;

import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.mow.PartialUpdate;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import java.util.Set;

/**
 * One tablet's written, not yet committed part of a load.
 *
 * @param rowset  the files
 * @param delta   merge-on-write: the rows it supersedes, computed against {@code basis} (version 0
 *                until commit); {@code null} for other tables
 * @param basis   the visible rowsets the delta (and a partial update's filled columns) were computed against
 * @param partial a partial column update, whose columns not given are filled again at publish if rowsets
 *                published since the basis touch its keys ({@link PublishRealign}); null otherwise
 */
public record TabletWrite(PendingRowset rowset, DeleteBitmap delta, Set<RowsetId> basis, PartialUpdate partial) {
    public TabletWrite(PendingRowset rowset, DeleteBitmap delta, Set<RowsetId> basis) {
        this(rowset, delta, basis, null);
    }
}
