package io.compactor.storage.compaction;

import io.compactor.storage.merge.ColumnGroupSink;
import io.compactor.storage.merge.SortedRunSource;
import io.compactor.storage.merge.SourceFactory;
import io.compactor.storage.merge.SourceOrigin;
import io.compactor.storage.schema.RowBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Puts a {@link CompactionProgress} between a merge and its sources and sink: every batch a source
 * hands out (at most 4,096 rows) is counted and is a cancel checkpoint; every range written and
 * every column group started is recorded. The merge itself knows nothing of it.
 */
final class ProgressSources {
    private ProgressSources() {
    }

    static List<SourceFactory> wrap(List<SourceFactory> factories, CompactionProgress progress) {
        List<SourceFactory> out = new ArrayList<>(factories.size());
        for (SourceFactory f : factories) {
            out.add(new SourceFactory() {
                @Override
                public SourceOrigin origin() {
                    return f.origin();
                }

                @Override
                public SortedRunSource open(int[] columns) throws IOException {
                    return new Counted(f.open(columns), progress);
                }
            });
        }
        return out;
    }

    /** A vertical writer that reports the group in progress and what it wrote. */
    static ColumnGroupSink groupSink(ColumnGroupSink writer, LongSupplier bytesWritten, CompactionProgress progress) {
        return new ColumnGroupSink() {
            private int group;

            @Override
            public void startGroup(int[] columns) throws IOException {
                progress.groupStarted(++group);
                writer.startGroup(columns);
            }

            @Override
            public void accept(RowBatch batch, int from, int to) throws IOException {
                writer.accept(batch, from, to);
                progress.wrote(writer.rowsWritten(), bytesWritten.getAsLong());
            }

            @Override
            public void finishGroup() throws IOException {
                writer.finishGroup();
            }

            @Override
            public long rowsWritten() {
                return writer.rowsWritten();
            }
        };
    }

    private static final class Counted implements SortedRunSource {
        private final SortedRunSource source;
        private final CompactionProgress progress;

        Counted(SortedRunSource source, CompactionProgress progress) {
            this.source = source;
            this.progress = progress;
        }

        @Override
        public SourceOrigin origin() {
            return source.origin();
        }

        @Override
        public RowBatch next() throws IOException {
            RowBatch b = source.next();
            progress.read(b == null ? 0 : b.size());
            return b;
        }

        @Override
        public int segmentId() {
            return source.segmentId();
        }

        @Override
        public long firstRowId() {
            return source.firstRowId();
        }

        @Override
        public void close() throws IOException {
            source.close();
        }
    }
}
