package io.compactor.storage.meta;

/** The meta store could not read or durably write; nothing of a failed write is visible. */
public class MetaStoreException extends RuntimeException {
    public MetaStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public MetaStoreException(String message) {
        super(message);
    }
}
