package io.compactor.actors.cluster;

import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.RowBatchCodec;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletReader;
import io.compactor.storage.tablet.TabletSnapshot;
import io.compactor.storage.util.StatusCode;
import java.util.List;

/** A replica's side of a cluster read: count, scan or get on its snapshot as of the read's version. */
final class ReplicaReads {
    private ReplicaReads() {
    }

    static ReplicaProtocol.ReadAnswer read(ReplicaProtocol.Read m, TableMeta table, TabletSnapshot snap,
                                            ClusterServices services) {
        long tabletId = snap.meta().tabletId();
        try (snap) {
            long version = m.version();
            return switch (m.kind()) {
                case COUNT -> new ReplicaProtocol.ReadAnswer(tabletId, version, TabletReader.count(table.schema(), List.of(snap)), null,
                        StatusCode.OK, "");
                case SCAN -> {
                    RowBatch rows = TabletReader.scan(table.schema(), List.of(snap), m.limit());
                    yield new ReplicaProtocol.ReadAnswer(tabletId, version, rows.size(), RowBatchCodec.encode(rows), StatusCode.OK, "");
                }
                case GET -> {
                    RowBatch rows = TabletReader.get(table.schema(), snap, RowBatchCodec.decode(table.schema(),
                            m.key()), services.engine().primaryKeys());
                    yield new ReplicaProtocol.ReadAnswer(tabletId, version, rows.size(), RowBatchCodec.encode(rows), StatusCode.OK, "");
                }
            };
        } catch (Exception e) {
            if (e instanceof java.io.IOException io) {
                services.engine().badTablets().markIfCorrupt(io);
            }
            return new ReplicaProtocol.ReadAnswer(tabletId, -1, 0, null, StatusCode.INTERNAL_ERROR,
                    "reading tablet " + tabletId + " on " + services.self() + " failed: " + e.getMessage());
        }
    }
}
