package io.compactor.actors.metalog;

/** Where a load stands in the meta log (Doris's transaction states). */
public enum TxnPhase {
    /** Begun, rows being staged; the label is taken. */
    PREPARE,
    /** Decided: committed, each tablet has its version; not yet published on a majority of each tablet. */
    COMMITTED,
    /** Published on a majority of each tablet's replicas; visible once the loads before it are. */
    PUBLISHED,
    /** Visible to reads. */
    VISIBLE,
    /** Never to be visible; the label is free again. */
    ABORTED;

    /** Committed or beyond: it will become visible. */
    public boolean isCommitted() {
        return this == COMMITTED || this == PUBLISHED || this == VISIBLE;
    }
}
