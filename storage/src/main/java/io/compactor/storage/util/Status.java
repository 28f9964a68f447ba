package io.compactor.storage.util;

/**
 * A Doris-style status: a code ({@code "OK"}, {@code "INTERNAL_ERROR"}, {@code "NOT_FOUND"},
 * {@code "E-235"} ...) and a message. {@link #toString()} is Doris's {@code Status::to_string()}:
 * {@code [OK]} or {@code [E-2000]msg}.
 */
public record Status(String code, String msg) {
    public static final Status OK = new Status("OK", "");

    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";
    public static final String NOT_FOUND = "NOT_FOUND";
    public static final String NOT_IMPLEMENTED_ERROR = "NOT_IMPLEMENTED_ERROR";
    public static final String ALREADY_EXIST = "ALREADY_EXIST";
    /** Doris's CANCELLED: e.g. single-replica compaction found no matching versions on the peer. */
    public static final String CANCELLED = "CANCELLED";
    public static final String TRY_LOCK_FAILED = "E-216";
    public static final String TOO_MANY_VERSION = "E-235";
    public static final String TOO_MANY_SEGMENTS = "E-238";
    public static final String CHECK_LINES_ERROR = "E-224";
    public static final String BE_NO_SUITABLE_VERSION = "E-808";
    public static final String CUMULATIVE_NO_SUITABLE_VERSION = "E-2000";
    public static final String FULL_NO_SUITABLE_VERSION = "E-2008";
    public static final String FULL_MISS_VERSION = "E-2009";
    public static final String SEGCOMPACTION_FAILED = "E-3119";
    public static final String DELETE_VERSION_ERROR = "DELETE_VERSION_ERROR";
    public static final String CORRUPTION = "CORRUPTION";
    public static final String BUSY = "SERVICE_UNAVAILABLE";

    public boolean ok() {
        return "OK".equals(code);
    }

    public static Status of(String code, String msg) {
        return new Status(code, msg);
    }

    public StatusException asException() {
        return new StatusException(this);
    }

    @Override
    public String toString() {
        return ok() ? "[OK]" : "[" + code + "]" + msg;
    }
}
