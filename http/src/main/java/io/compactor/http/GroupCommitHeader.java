package io.compactor.http;

import io.compactor.api.GroupCommitMode;
import java.util.function.Function;

/** The stream-load header {@code group_commit} (Doris 2.1): which mode a load asks for. */
final class GroupCommitHeader {
    private GroupCommitHeader() {
    }

    /**
     * The mode the request's headers ask for (off_mode without the header).
     *
     * @throws IllegalArgumentException with Doris's message for an unknown value
     */
    static GroupCommitMode mode(Function<String, String> header) {
        return GroupCommitMode.fromHeader(header.apply(GroupCommitMode.HEADER));
    }
}
