package io.compactor.scheduler;

import java.util.Locale;

/** The kinds of compaction the scheduler decides on, with the names Doris uses in its HTTP API. */
public enum CompactionType {
    /** Merges the rowsets below the cumulative point into the base rowset. */
    BASE("base"),
    /** Merges recent rowsets at or after the cumulative point. */
    CUMULATIVE("cumulative"),
    /** Merges every rowset of the tablet into one. Runs on the base pool. */
    FULL("full");

    private final String dorisName;

    CompactionType(String dorisName) {
        this.dorisName = dorisName;
    }

    /** The name Doris uses for {@code compact_type} and in status JSON ("base", "cumulative", "full"). */
    public String dorisName() {
        return dorisName;
    }

    /**
     * Parses a Doris {@code compact_type} value.
     *
     * @throws IllegalArgumentException with Doris's message "The compaction type 'x' is not supported"
     */
    public static CompactionType fromDorisName(String name) {
        if (name != null) {
            String n = name.toLowerCase(Locale.ROOT);
            for (CompactionType t : values()) {
                if (t.dorisName.equals(n)) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("The compaction type '" + name + "' is not supported");
    }

    /** Whether tasks of this kind run on the base pool (everything except cumulative, as in Doris). */
    public boolean usesBasePool() {
        return this != CUMULATIVE;
    }

    @Override
    public String toString() {
        return dorisName;
    }
}
