package io.compactor.storage.tablet;

import io.compactor.storage.DataDir;
import io.compactor.storage.schema.Schema;

/**
 * A reader's consistent view of a tablet: the meta at one moment plus a hold on its rowsets, so
 * their files stay until {@link #close()} even if compaction replaces them meanwhile.
 */
public final class TabletSnapshot implements AutoCloseable {
    private final TabletMeta meta;
    private final Schema schema;
    private final DataDir dir;
    private final Runnable release;

    public TabletSnapshot(TabletMeta meta, Schema schema, DataDir dir, Runnable release) {
        this.meta = meta;
        this.schema = schema;
        this.dir = dir;
        this.release = release;
    }

    public TabletMeta meta() {
        return meta;
    }

    public Schema schema() {
        return schema;
    }

    public DataDir dataDir() {
        return dir;
    }

    @Override
    public void close() {
        release.run();
    }
}
