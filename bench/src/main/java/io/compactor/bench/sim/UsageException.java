package io.compactor.bench.sim;

/** A bad command line: the message names the flag (or argument) and what was expected. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
