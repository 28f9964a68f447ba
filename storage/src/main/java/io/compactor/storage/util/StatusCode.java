package io.compactor.storage.util;

/**
 * The one status vocabulary of Compactor: Doris's codes with Doris's numbers and names. Positive
 * numbers are Doris's {@code TStatusCode} (gensrc/thrift/Status.thrift), negative ones its storage
 * {@code ErrorCode}s (be/src/common/status.h). {@link #text()} is how Doris prints a code in
 * {@code {"status": ..., "msg": ...}} and in {@code Status::to_string()}: the name for a
 * {@code TStatusCode}, {@code "E<number>"} for a storage code ({@code "E-235"}).
 */
public enum StatusCode {
    OK(0),
    /** E.g. a single-replica fetch that found no matching versions on the peer. */
    CANCELLED(1),
    ANALYSIS_ERROR(2),
    /** Doris's {@code Status::NotSupported}. */
    NOT_IMPLEMENTED_ERROR(3),
    INTERNAL_ERROR(6),
    TIMEOUT(8),
    PUBLISH_TIMEOUT(14),
    LABEL_ALREADY_EXISTS(15),
    DATA_QUALITY_ERROR(46),
    NOT_FOUND(31),
    CORRUPTION(32),
    INVALID_ARGUMENT(33),
    ALREADY_EXIST(35),
    /** Busy: a bounded queue or pool is full; try again later. */
    SERVICE_UNAVAILABLE(41),
    TRY_LOCK_FAILED(-216),
    CHECK_LINES_ERROR(-224),
    TOO_MANY_VERSION(-235),
    TOO_MANY_SEGMENTS(-238),
    /** A commit whose inputs are no longer the tablet's current rowsets (Doris's modify_rowsets conflict). */
    DELETE_VERSION_ERROR(-504),
    /** Base compaction found nothing suitable. Soft: not a failure of the tablet. */
    BE_NO_SUITABLE_VERSION(-808, true),
    /** Cumulative compaction found nothing suitable. Soft. */
    CUMULATIVE_NO_SUITABLE_VERSION(-2000, true),
    /** Full compaction found nothing suitable. Soft. */
    FULL_NO_SUITABLE_VERSION(-2008, true),
    /** Full compaction's inputs do not span every version of the tablet. */
    FULL_MISS_VERSION(-2009),
    /** Cumulative compaction met a delete version and handed it to base compaction. Soft. */
    CUMULATIVE_MEET_DELETE_VERSION(-2010, true),
    SEGCOMPACTION_INIT_READER(-3117),
    SEGCOMPACTION_INIT_WRITER(-3118),
    SEGCOMPACTION_FAILED(-3119);

    private final int number;
    private final boolean noSuitableVersion;

    StatusCode(int number) {
        this(number, false);
    }

    StatusCode(int number, boolean noSuitableVersion) {
        this.number = number;
        this.noSuitableVersion = noSuitableVersion;
    }

    /** Doris's number: {@code TStatusCode} value (positive) or storage error code (negative). */
    public int number() {
        return number;
    }

    /** The code as Doris prints it: {@code "NOT_FOUND"}, {@code "E-2000"}. */
    public String text() {
        return number >= 0 ? name() : "E" + number;
    }

    /**
     * Whether this only means "nothing to do now": Doris treats these as soft (the submit answers
     * OK with zero permits) and they must not count as consecutive failures.
     */
    public boolean isNoSuitableVersion() {
        return noSuitableVersion;
    }

    /** {@link #text()}: concatenated into messages, a code reads as Doris prints it. */
    @Override
    public String toString() {
        return text();
    }

    /** The code whose {@link #text()} or name is {@code text}. */
    public static StatusCode fromText(String text) {
        for (StatusCode c : values()) {
            if (c.text().equals(text) || c.name().equals(text)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown status code: " + text);
    }
}
