package io.compactor.scheduler;

/**
 * The Doris status codes a compaction decision can end with, printed as Doris prints them in
 * {@code {"status": <code>, "msg": ...}}: {@code "E<code>"} for negative storage codes, the
 * TStatusCode name otherwise.
 */
public enum DorisStatus {
    /** Base compaction found nothing suitable (-808). Soft: not a failure of the tablet. */
    BE_NO_SUITABLE_VERSION("E-808", true),
    /** Cumulative compaction found nothing suitable (-2000). Soft. */
    CUMULATIVE_NO_SUITABLE_VERSION("E-2000", true),
    /** Full compaction found nothing suitable (-2008). Soft. */
    FULL_NO_SUITABLE_VERSION("E-2008", true),
    /** Full compaction's inputs do not span every version of the tablet (-2009). */
    FULL_MISS_VERSION("E-2009", false),
    /** Cumulative compaction met a delete version and handed it to base compaction (-2010). Soft. */
    CUMULATIVE_MEET_DELETE_VERSION("E-2010", true),
    /** Too many versions: a load is refused (-235). */
    TOO_MANY_VERSION("E-235", false),
    /** Any other error, e.g. "versions are not continuity". */
    INTERNAL_ERROR("INTERNAL_ERROR", false);

    private final String code;
    private final boolean noSuitableVersion;

    DorisStatus(String code, boolean noSuitableVersion) {
        this.code = code;
        this.noSuitableVersion = noSuitableVersion;
    }

    /** The code as Doris prints it, e.g. "E-2000". */
    public String code() {
        return code;
    }

    /**
     * Whether this only means "nothing to do now": Doris treats these as soft (the submit answers
     * OK with zero permits) and they must not count as consecutive failures.
     */
    public boolean isNoSuitableVersion() {
        return noSuitableVersion;
    }

    @Override
    public String toString() {
        return code;
    }
}
