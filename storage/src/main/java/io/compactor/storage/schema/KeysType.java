package io.compactor.storage.schema;

/** The data model of a table, as Doris names it. */
public enum KeysType {
    /** Every loaded row is kept, sorted by the key columns. */
    DUPLICATE_KEYS,
    /** One row per key: the newest load wins (merge-on-write with delete bitmaps). */
    UNIQUE_KEYS
}
