package io.compactor.api;

import java.util.List;

/**
 * What a node tells about itself: its cluster address ({@code "local"} in single-node mode), the
 * {@code host:port} of its HTTP API, its data dirs and how many tablets it holds.
 */
public record NodeInfo(String address, String http, List<String> dataDirs, int tablets) {
    public NodeInfo {
        dataDirs = List.copyOf(dataDirs);
    }
}
