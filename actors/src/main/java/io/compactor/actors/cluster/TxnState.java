package io.compactor.actors.cluster;

/** What became of a cluster load, as its table's {@link TableTxn} coordinator knows it. */
public enum TxnState {
    /** Published on a majority of every tablet's replicas: the load is visible. */
    COMMITTED,
    /** Never to be visible; replicas drop its rows. */
    ABORTED,
    /** Being committed right now: ask again. */
    PENDING,
    /** The coordinator did not answer: ask again later. */
    UNKNOWN
}
