package io.compactor.api;

import io.compactor.storage.load.BodyCompression;
import io.compactor.storage.load.LoadOptions;
import java.util.Objects;

/**
 * One stream load as its Doris headers ask for it.
 *
 * @param options        how to parse the body and what to do with its rows
 * @param label          the idempotency key, or null for a generated one
 * @param comment        Doris's {@code comment}: echoed in the answer ("" when none)
 * @param twoPhaseCommit Doris's {@code two_phase_commit}: the load ends prepared, made visible or
 *                       dropped later by {@code PUT /api/{db}/_stream_load_2pc}
 * @param timeoutSeconds Doris's {@code timeout}: the load fails when it takes longer; -1 for the
 *                       node's {@code load_timeout_seconds}
 * @param compression    Doris's {@code compress_type}: how the body is compressed
 * @param groupCommit    Doris's {@code group_commit} (off_mode without the header)
 */
public record StreamLoadRequest(LoadOptions options, String label, String comment, boolean twoPhaseCommit,
                                int timeoutSeconds, BodyCompression compression, GroupCommitMode groupCommit) {

    /** A load without group commit. */
    public StreamLoadRequest(LoadOptions options, String label, String comment, boolean twoPhaseCommit,
                             int timeoutSeconds, BodyCompression compression) {
        this(options, label, comment, twoPhaseCommit, timeoutSeconds, compression, GroupCommitMode.OFF_MODE);
    }

    /** The same request with a group commit mode. */
    public StreamLoadRequest withGroupCommit(GroupCommitMode mode) {
        return new StreamLoadRequest(options, label, comment, twoPhaseCommit, timeoutSeconds, compression, mode);
    }

    public StreamLoadRequest {
        Objects.requireNonNull(groupCommit, "groupCommit");
        Objects.requireNonNull(options, "options");
        comment = comment == null ? "" : comment;
        Objects.requireNonNull(compression, "compression");
    }

    /** A plain load: the options and label, everything else as Doris's defaults. */
    public static StreamLoadRequest of(LoadOptions options, String label) {
        return new StreamLoadRequest(options, label, "", false, -1, BodyCompression.NONE);
    }
}
