package io.compactor.scheduler.policy;

import io.compactor.storage.tablet.TableProperties;

/** Policy names as Doris shows them. */
final class TableNames {
    static final String SIZE_BASED = TableProperties.SIZE_BASED;
    static final String TIME_SERIES = TableProperties.TIME_SERIES;
    static final String BASE = "base";
    static final String FULL = "full";

    private TableNames() {
    }
}
