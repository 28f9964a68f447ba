package io.compactor.api;

import java.util.Locale;

/**
 * Doris's stream-load header {@code group_commit}: {@code off_mode} (a load of its own),
 * {@code sync_mode} (appended to the table's internal load; answers once that commits, the rows
 * then visible) or {@code async_mode} (answers once the rows are fsynced in the write-ahead log;
 * they become visible when the internal load commits).
 */
public enum GroupCommitMode {
    OFF_MODE, SYNC_MODE, ASYNC_MODE;

    /** The stream-load header's name. */
    public static final String HEADER = "group_commit";

    /**
     * The mode a header value asks for: OFF_MODE when absent or empty.
     *
     * @throws IllegalArgumentException with Doris's message for any other value
     */
    public static GroupCommitMode fromHeader(String value) {
        if (value == null || value.isBlank()) {
            return OFF_MODE;
        }
        for (GroupCommitMode m : values()) {
            if (m.headerValue().equalsIgnoreCase(value.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("[INVALID_ARGUMENT]group_commit can only be [async_mode, sync_mode, off_mode]");
    }

    /** The header value: {@code off_mode}, {@code sync_mode}, {@code async_mode}. */
    public String headerValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
