package io.compactor.actors.metalog;

import io.compactor.storage.meta.MetaJson;
import io.compactor.storage.tablet.TableMeta;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The meta log's state as written to a snapshot file, and read back. */
public final class MetaSnapshot {
    private MetaSnapshot() {
    }

    /** A tablet's versions in a snapshot. */
    public record TabletSnap(long committed, long visible, long[] ids, List<Long> pending) {
    }

    /** The state as written to a snapshot file. */
    public record Snapshot(long lastTableId, long lastTabletId, long catalogVersion, List<byte[]> tables,
                           Map<Long, Long> dropped, Map<String, Long> labels, List<MetaReply.TxnView> txns,
                           List<Long> published, Map<Long, TabletSnap> tablets, Map<String, String> bad) {
    }

    /** The whole state as a value (the caller holds the state's lock). */
    static Snapshot of(MetaState m) {
        List<byte[]> t = new ArrayList<>();
        for (TableMeta table : m.tables.values()) {
            t.add(MetaJson.encodeTable(table));
        }
        List<MetaReply.TxnView> x = new ArrayList<>();
        for (Txn txn : m.txns.values()) {
            x.add(txn.view());
        }
        Map<Long, TabletSnap> tl = new TreeMap<>();
        for (var e : m.tablets.entrySet()) {
            TabletLog l = e.getValue();
            tl.put(e.getKey(), new TabletSnap(l.committed, l.visible, Arrays.copyOf(l.ids, (int) l.committed + 1),
                    new ArrayList<>(l.pending)));
        }
        return new Snapshot(m.lastTableId, m.lastTabletId, m.catalogVersion, t, new TreeMap<>(m.dropped),
                new HashMap<>(m.labels), x, new ArrayList<>(m.published), tl, new TreeMap<>(m.bad));
    }

    /** Replaces the whole state with a snapshot's (the caller holds the state's lock). */
    static void restore(MetaState m, Snapshot s) {
        m.lastTableId = s.lastTableId();
        m.lastTabletId = s.lastTabletId();
        m.catalogVersion = s.catalogVersion();
        m.tables.clear();
        for (byte[] json : s.tables()) {
            TableMeta t = MetaJson.decodeTable(json);
            m.tables.put(t.tableId(), t);
        }
        m.dropped.clear();
        m.dropped.putAll(s.dropped());
        m.labels.clear();
        m.labels.putAll(s.labels());
        m.txns.clear();
        for (MetaReply.TxnView v : s.txns()) {
            m.txns.put(v.txnId(), Txn.of(v));
        }
        m.published.clear();
        m.published.addAll(s.published());
        m.tablets.clear();
        for (var e : s.tablets().entrySet()) {
            TabletLog l = new TabletLog();
            l.committed = e.getValue().committed();
            l.visible = e.getValue().visible();
            l.ids = Arrays.copyOf(e.getValue().ids(), Math.max(8, e.getValue().ids().length));
            l.pending.addAll(e.getValue().pending());
            m.tablets.put(e.getKey(), l);
        }
        m.bad.clear();
        m.bad.putAll(s.bad());
    }
}
