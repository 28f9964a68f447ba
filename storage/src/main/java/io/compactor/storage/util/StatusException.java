package io.compactor.storage.util;

/** An operation failed with a Doris-style {@link Status}. */
public class StatusException extends RuntimeException {
    private final Status status;

    public StatusException(Status status) {
        super(status.code().text() + ": " + status.msg());
        this.status = status;
    }

    public StatusException(StatusCode code, String msg) {
        this(new Status(code, msg));
    }

    public StatusException(Status status, Throwable cause) {
        super(status.code().text() + ": " + status.msg(), cause);
        this.status = status;
    }

    public Status status() {
        return status;
    }

    /** The status of any throwable: its own if it carries one, else INTERNAL_ERROR with its message. */
    public static Status statusOf(Throwable t) {
        Throwable c = t;
        while (c != null) {
            if (c instanceof StatusException se) {
                return se.status();
            }
            if (c.getCause() == c) {
                break;
            }
            c = c.getCause();
        }
        Throwable root = t;
        while ((root instanceof java.util.concurrent.CompletionException
                || root instanceof java.util.concurrent.ExecutionException) && root.getCause() != null) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return Status.internal(msg);
    }
}
