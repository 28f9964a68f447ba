package io.compactor.storage.tablet;

import io.compactor.storage.DataDir;
import io.compactor.storage.mow.SegmentKey;
import io.compactor.storage.schema.Schema;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;

/**
 * A reader's consistent view of a tablet: the meta at one moment plus a hold on its rowsets, so
 * their files stay until {@link #close()} even if compaction replaces them meanwhile.
 */
public final class TabletSnapshot implements AutoCloseable {
    private final TabletMeta meta;
    private final Schema schema;
    private final DataDir dir;
    private final Runnable release;
    private final Map<SegmentKey, RoaringBitmap> deleted;

    public TabletSnapshot(TabletMeta meta, Schema schema, DataDir dir, Runnable release) {
        this(meta, schema, dir, release, null);
    }

    /**
     * @param deleted for a merge-on-write tablet, the rows its delete bitmap marks at this moment
     *                (an immutable aggregate); {@code null} for other tablets
     */
    public TabletSnapshot(TabletMeta meta, Schema schema, DataDir dir, Runnable release,
                          Map<SegmentKey, RoaringBitmap> deleted) {
        this.meta = meta;
        this.schema = schema;
        this.dir = dir;
        this.release = release;
        this.deleted = deleted;
    }

    /** The deleted rows of a merge-on-write tablet, or {@code null}. */
    public Map<SegmentKey, RoaringBitmap> deleted() {
        return deleted;
    }

    public boolean isMergeOnWrite() {
        return deleted != null;
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
