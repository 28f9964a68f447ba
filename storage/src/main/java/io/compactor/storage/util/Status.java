package io.compactor.storage.util;

/**
 * A Doris-style status: a {@link StatusCode} and a message. {@link #toString()} is Doris's
 * {@code Status::to_string()}: {@code [OK]} or {@code [E-2000]msg}. The factories hold the
 * messages that several places answer with, in Doris's words.
 */
public record Status(StatusCode code, String msg) {
    public static final Status OK = new Status(StatusCode.OK, "");

    public Status {
        if (code == null) {
            throw new IllegalArgumentException("a status needs a code");
        }
        msg = msg == null ? "" : msg;
    }

    public boolean ok() {
        return code == StatusCode.OK;
    }

    /** Whether this status has {@code c} as its code. */
    public boolean is(StatusCode c) {
        return code == c;
    }

    public static Status of(StatusCode code, String msg) {
        return new Status(code, msg);
    }

    public static Status internal(String msg) {
        return new Status(StatusCode.INTERNAL_ERROR, msg);
    }

    public static Status invalidArgument(String msg) {
        return new Status(StatusCode.INVALID_ARGUMENT, msg);
    }

    /** A bounded queue or pool is full. */
    public static Status busy(String msg) {
        return new Status(StatusCode.SERVICE_UNAVAILABLE, msg);
    }

    /** Doris's NOT_FOUND answer for an unknown tablet. */
    public static Status tabletNotFound(long tabletId) {
        return new Status(StatusCode.NOT_FOUND, "Tablet not found. tablet_id=" + tabletId);
    }

    /** Doris's E-235 refusal of a load into a tablet with too many versions. */
    public static Status tooManyVersions(long tabletId, int versionCount, long limit) {
        return new Status(StatusCode.TOO_MANY_VERSION, "failed to init rowset builder. version count: " + versionCount
                + ", exceed limit: " + limit + ", tablet: " + tabletId + ". Please reduce the frequency of loading"
                + " data or adjust the max_tablet_version_num or time_series_max_tablet_version_num in be.conf to a"
                + " larger value.");
    }

    /** Doris's ALREADY_EXIST answer when a (tablet, kind) is already queued or running. */
    public static Status compactionAlreadySubmitted(long tabletId, String compactionType) {
        return new Status(StatusCode.ALREADY_EXIST, "compaction task has already been submitted, tablet_id="
                + tabletId + ", compaction_type=" + compactionType);
    }

    /** Doris's answer to a label used before. */
    public static Status labelAlreadyUsed(String label) {
        return new Status(StatusCode.LABEL_ALREADY_EXISTS, "Label [" + label + "] has already been used.");
    }

    public StatusException asException() {
        return new StatusException(this);
    }

    @Override
    public String toString() {
        return ok() ? "[OK]" : "[" + code.text() + "]" + msg;
    }
}
