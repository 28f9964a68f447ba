package io.compactor.actors.metalog;

import io.compactor.storage.meta.MetaJson;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the replicated meta log decides, as Doris's frontend keeps it in its edit log: the catalog
 * (tables with their placement, ids handed out, drops), every load's transaction state under its
 * label, and for each tablet its committed and visible versions with the content identity of each
 * version. Deterministic: {@link #apply} depends on the entry and the state only, so every voter
 * that applies the same log holds the same state. Thread-safe (one lock).
 *
 * <h2>Versions and visibility</h2>
 * A commit gives each tablet of the load the next version ({@code committed + 1}) and records the
 * identity of its rows. A load becomes visible when it is published on a majority of each of its
 * tablets' replicas and every load committed before it on those tablets is visible; then each
 * tablet's visible version moves to the load's version. Reads use the visible versions, taken in
 * one state of the log, so a read sees all tablets of a load or none.
 *
 * <h2>Content identity</h2>
 * Each version {@code v} of a tablet has an identity {@code id(v)} (the load's txn id mixed with
 * the checksum of its rows; 0 for the empty versions 0 and 1). A rowset holding versions
 * {@code [a-b]} (one load, or a compaction of several) must have the identity
 * {@code id(a) ^ ... ^ id(b)}: replicas compare rowsets by that, never by version numbers alone.
 */
public final class MetaState {
    /** Table and tablet ids start above this. */
    public static final long FIRST_ID = 10_000;
    /** Finished loads kept (their labels stay taken forever). */
    static final int MAX_TXNS = 200_000;

    long lastTableId = FIRST_ID;
    long lastTabletId = FIRST_ID;
    long catalogVersion;
    final TreeMap<Long, TableMeta> tables = new TreeMap<>();
    final TreeMap<Long, Long> dropped = new TreeMap<>();
    final HashMap<String, Long> labels = new HashMap<>();
    final LinkedHashMap<Long, Txn> txns = new LinkedHashMap<>();
    final Set<Long> published = new LinkedHashSet<>();
    final HashMap<Long, TabletLog> tablets = new HashMap<>();
    final TreeMap<String, String> bad = new TreeMap<>();

    /**
     * The identity of one load's version of one tablet: its txn id mixed with the checksum and
     * count of the rows the replicas staged (never 0).
     */
    public static long identityOf(long txnId, long checksum, long rows) {
        long h = txnId * 0x9E3779B97F4A7C15L ^ checksum * 0xC2B2AE3D27D4EB4FL ^ rows * 0x165667B19E3779F9L;
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        return h == 0 ? 1 : h;
    }

    static String labelKey(String db, String label) {
        return db + '\0' + label;
    }

    /** {@code tabletId@node}, the key of a replica. */
    public static String replicaKey(long tabletId, String node) {
        return tabletId + "@" + node;
    }

    // ---- entries

    /** Applies one log entry (never a question) and answers it. */
    public synchronized MetaReply apply(MetaCommand c) {
        if (c instanceof MetaCommand.CreateTable m) {
            return create(m);
        } else if (c instanceof MetaCommand.DropTable m) {
            return drop(m);
        } else if (c instanceof MetaCommand.AlterTable m) {
            return alter(m);
        } else if (c instanceof MetaCommand.BeginTxn m) {
            return begin(m);
        } else if (c instanceof MetaCommand.CommitTxn m) {
            return commit(m);
        } else if (c instanceof MetaCommand.AbortTxn m) {
            return abort(m);
        } else if (c instanceof MetaCommand.PublishedTxn m) {
            return published(m);
        } else if (c instanceof MetaCommand.MarkReplica m) {
            return mark(m);
        } else if (c instanceof MetaCommand.MoveReplica m) {
            return move(m);
        }
        return query(c);
    }

    private TableMeta byName(String db, String name) {
        for (TableMeta t : tables.values()) {
            if (t.db().equals(db) && t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    private static MetaReply unknownTable(String db, String name) {
        return MetaReply.error(StatusCode.NOT_FOUND.name(), "Unknown table '" + name + "' in database '" + db + "'");
    }

    private MetaReply create(MetaCommand.CreateTable m) {
        TableMeta t;
        try {
            t = MetaJson.decodeTable(m.table());
        } catch (RuntimeException e) {
            return MetaReply.error(StatusCode.INVALID_ARGUMENT.name(), "table does not decode: " + e.getMessage());
        }
        if (byName(t.db(), t.name()) != null) {
            return MetaReply.error(StatusCode.ALREADY_EXIST.name(), "Table '" + t.name() + "' already exists");
        }
        if (t.replicas().size() != t.buckets()) {
            return MetaReply.error(StatusCode.INVALID_ARGUMENT.name(), "table " + t.db() + "." + t.name() + " has "
                    + t.replicas().size() + " replica lists for " + t.buckets() + " buckets");
        }
        long tableId = ++lastTableId;
        List<Long> tabletIds = new ArrayList<>();
        for (int b = 0; b < t.buckets(); b++) {
            long id = ++lastTabletId;
            tabletIds.add(id);
            tablets.put(id, new TabletLog());
        }
        TableMeta placed = new TableMeta(tableId, t.db(), t.name(), t.schema(), t.buckets(), t.replicationNum(),
                t.properties(), tabletIds, t.createdMs(), t.replicas());
        tables.put(tableId, placed);
        catalogVersion++;
        return MetaReply.ofTable(MetaJson.encodeTable(placed));
    }

    private MetaReply drop(MetaCommand.DropTable m) {
        TableMeta t = byName(m.db(), m.name());
        if (t == null) {
            return unknownTable(m.db(), m.name());
        }
        tables.remove(t.tableId());
        dropped.put(t.tableId(), t.tabletIds().stream().mapToLong(Long::longValue).max().orElse(0));
        for (long tablet : t.tabletIds()) {
            tablets.remove(tablet);
            bad.keySet().removeIf(k -> k.startsWith(tablet + "@"));
        }
        for (Txn x : txns.values()) {
            if (x.tableId == t.tableId() && x.phase == TxnPhase.PREPARE) {
                x.phase = TxnPhase.ABORTED;
                x.reason = "table " + t.db() + "." + t.name() + " was dropped";
                labels.remove(labelKey(x.db, x.label), x.txnId);
            } else if (x.tableId == t.tableId() && x.phase.isCommitted() && x.phase != TxnPhase.VISIBLE) {
                // Committed: it stays a success, of a table that no longer exists.
                x.phase = TxnPhase.VISIBLE;
                published.remove(x.txnId);
            }
        }
        catalogVersion++;
        return MetaReply.ofTable(MetaJson.encodeTable(t));
    }

    private MetaReply alter(MetaCommand.AlterTable m) {
        TableMeta t = byName(m.db(), m.name());
        if (t == null) {
            return unknownTable(m.db(), m.name());
        }
        TableMeta changed;
        try {
            changed = t.withProperties(t.properties().alter(m.changes(), t.isMergeOnWrite()));
        } catch (IllegalArgumentException e) {
            return MetaReply.error(StatusCode.INVALID_ARGUMENT.name(), e.getMessage());
        }
        tables.put(t.tableId(), changed);
        catalogVersion++;
        return MetaReply.ofTable(MetaJson.encodeTable(changed));
    }

    private MetaReply begin(MetaCommand.BeginTxn m) {
        Txn known = txns.get(m.txnId());
        if (known != null) {
            return MetaReply.ofTxn(known.view());
        }
        TableMeta t = tables.get(m.tableId());
        if (t == null) {
            return MetaReply.error(StatusCode.NOT_FOUND.name(), "table " + m.tableId() + " does not exist (dropped?)");
        }
        Long holder = labels.get(labelKey(m.db(), m.label()));
        if (holder != null) {
            Txn h = txns.get(holder);
            if (h == null || h.phase != TxnPhase.ABORTED) {
                Status used = Status.labelAlreadyUsed(m.label());
                return MetaReply.error(used.code().name(), used.msg());
            }
        }
        Txn x = new Txn();
        x.txnId = m.txnId();
        x.db = m.db();
        x.label = m.label();
        x.tableId = m.tableId();
        x.phase = TxnPhase.PREPARE;
        x.beginMs = m.nowMs();
        x.deadlineMs = m.nowMs() + m.timeoutMs();
        txns.put(x.txnId, x);
        labels.put(labelKey(m.db(), m.label()), x.txnId);
        prune();
        return MetaReply.ofTxn(x.view());
    }

    private MetaReply commit(MetaCommand.CommitTxn m) {
        Txn x = txns.get(m.txnId());
        if (x == null) {
            return MetaReply.error(StatusCode.NOT_FOUND.name(), "txn " + m.txnId() + " is not known to the log");
        }
        if (x.phase != TxnPhase.PREPARE) {
            return MetaReply.ofTxn(x.view());
        }
        TableMeta t = tables.get(x.tableId);
        if (t == null || !t.tabletIds().containsAll(m.contentIds().keySet()) || m.contentIds().isEmpty()) {
            x.phase = TxnPhase.ABORTED;
            x.reason = t == null ? "the table was dropped" : "the load names tablets its table does not have";
            labels.remove(labelKey(x.db, x.label), x.txnId);
            return MetaReply.ofTxn(x.view());
        }
        Map<Long, Long> versions = new TreeMap<>();
        for (var e : new TreeMap<>(m.contentIds()).entrySet()) {
            TabletLog tl = tablets.computeIfAbsent(e.getKey(), k -> new TabletLog());
            long v = ++tl.committed;
            tl.set(v, e.getValue());
            tl.pending.add(x.txnId);
            versions.put(e.getKey(), v);
        }
        x.versions = versions;
        x.contentIds = new TreeMap<>(m.contentIds());
        x.loadedRows = m.loadedRows();
        x.filteredRows = m.filteredRows();
        x.commitMs = m.nowMs();
        x.phase = TxnPhase.COMMITTED;
        return MetaReply.ofTxn(x.view());
    }

    private MetaReply abort(MetaCommand.AbortTxn m) {
        Txn x = txns.get(m.txnId());
        if (x == null) {
            return MetaReply.error(StatusCode.NOT_FOUND.name(), "txn " + m.txnId() + " is not known to the log");
        }
        if (x.phase == TxnPhase.PREPARE) {
            x.phase = TxnPhase.ABORTED;
            x.reason = m.reason() == null ? "" : m.reason();
            labels.remove(labelKey(x.db, x.label), x.txnId);
        }
        return MetaReply.ofTxn(x.view());
    }

    private MetaReply published(MetaCommand.PublishedTxn m) {
        Txn x = txns.get(m.txnId());
        if (x == null) {
            return MetaReply.error(StatusCode.NOT_FOUND.name(), "txn " + m.txnId() + " is not known to the log");
        }
        if (x.phase == TxnPhase.COMMITTED) {
            x.phase = TxnPhase.PUBLISHED;
            published.add(x.txnId);
            cascade();
        }
        return MetaReply.ofTxn(x.view());
    }

    /** Makes visible every published load whose tablets have nothing committed before it still invisible. */
    private void cascade() {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Iterator<Long> it = published.iterator(); it.hasNext(); ) {
                Txn x = txns.get(it.next());
                if (x == null) {
                    it.remove();
                    continue;
                }
                boolean first = true;
                for (long tablet : x.versions.keySet()) {
                    TabletLog tl = tablets.get(tablet);
                    if (tl != null && (tl.pending.isEmpty() || tl.pending.peekFirst() != x.txnId)) {
                        first = false;
                        break;
                    }
                }
                if (!first) {
                    continue;
                }
                for (var e : x.versions.entrySet()) {
                    TabletLog tl = tablets.get(e.getKey());
                    if (tl != null) {
                        tl.pending.pollFirst();
                        tl.visible = e.getValue();
                    }
                }
                x.phase = TxnPhase.VISIBLE;
                it.remove();
                changed = true;
            }
        }
    }

    private MetaReply mark(MetaCommand.MarkReplica m) {
        String key = replicaKey(m.tabletId(), m.node());
        if (m.bad()) {
            bad.put(key, m.reason() == null ? "" : m.reason());
        } else {
            bad.remove(key);
        }
        catalogVersion++;
        return MetaReply.ok();
    }

    private MetaReply move(MetaCommand.MoveReplica m) {
        for (TableMeta t : tables.values()) {
            int bucket = t.tabletIds().indexOf(m.tabletId());
            if (bucket < 0) {
                continue;
            }
            List<String> nodes = new ArrayList<>(t.replicas().get(bucket));
            int at = nodes.indexOf(m.from());
            if (at < 0) {
                return MetaReply.error(StatusCode.NOT_FOUND.name(), "no replica of tablet " + m.tabletId() + " on "
                        + m.from());
            }
            if (nodes.contains(m.to())) {
                return MetaReply.error(StatusCode.ALREADY_EXIST.name(), m.to() + " holds a replica of tablet "
                        + m.tabletId() + " already");
            }
            nodes.set(at, m.to());
            List<List<String>> replicas = new ArrayList<>(t.replicas());
            replicas.set(bucket, nodes);
            TableMeta moved = new TableMeta(t.tableId(), t.db(), t.name(), t.schema(), t.buckets(),
                    t.replicationNum(), t.properties(), t.tabletIds(), t.createdMs(), replicas);
            tables.put(t.tableId(), moved);
            bad.remove(replicaKey(m.tabletId(), m.from()));
            bad.put(replicaKey(m.tabletId(), m.to()), "new replica (" + m.reason() + "): cloning from a peer");
            catalogVersion++;
            return MetaReply.ofTable(MetaJson.encodeTable(moved));
        }
        return MetaReply.error(StatusCode.NOT_FOUND.name(), "tablet " + m.tabletId() + " belongs to no table");
    }

    private void prune() {
        if (txns.size() <= MAX_TXNS) {
            return;
        }
        for (Iterator<Txn> it = txns.values().iterator(); it.hasNext() && txns.size() > MAX_TXNS; ) {
            Txn x = it.next();
            if (x.phase == TxnPhase.VISIBLE || x.phase == TxnPhase.ABORTED) {
                it.remove();
            }
        }
    }

    // ---- questions

    /** Answers a question from the current state. */
    public synchronized MetaReply query(MetaCommand c) {
        if (c instanceof MetaCommand.GetCatalog) {
            List<byte[]> list = new ArrayList<>();
            for (TableMeta t : tables.values()) {
                list.add(MetaJson.encodeTable(t));
            }
            return new MetaReply("OK", "", null, list, new TreeMap<>(dropped), null, null, new TreeMap<>(bad), null,
                    catalogVersion);
        } else if (c instanceof MetaCommand.GetVisible m) {
            TableMeta t = tables.get(m.tableId());
            if (t == null) {
                return MetaReply.error(StatusCode.NOT_FOUND.name(), "table " + m.tableId() + " does not exist");
            }
            Map<Long, Long> v = new TreeMap<>();
            Map<String, String> b = new TreeMap<>();
            for (long tablet : t.tabletIds()) {
                TabletLog tl = tablets.get(tablet);
                v.put(tablet, tl == null ? 1 : tl.visible);
                for (String node : t.replicaNodes(tablet)) {
                    String why = bad.get(replicaKey(tablet, node));
                    if (why != null) {
                        b.put(replicaKey(tablet, node), why);
                    }
                }
            }
            return new MetaReply("OK", "", null, null, null, null, v, b, null, catalogVersion);
        } else if (c instanceof MetaCommand.GetTxn m) {
            Txn x = txns.get(m.txnId());
            return x == null ? MetaReply.error(StatusCode.NOT_FOUND.name(), "txn " + m.txnId()
                    + " is not known to the log") : MetaReply.ofTxn(x.view());
        } else if (c instanceof MetaCommand.GetChain m) {
            TabletLog tl = tablets.get(m.tabletId());
            if (tl == null) {
                return MetaReply.error(StatusCode.NOT_FOUND.name(), "tablet " + m.tabletId() + " is not in the log");
            }
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i + 1 < m.ranges().size(); i += 2) {
                ids.add(tl.xor(m.ranges().get(i), m.ranges().get(i + 1)));
            }
            return new MetaReply("OK", "", null, null, null, null, Map.of(m.tabletId(), tl.committed), null, ids,
                    catalogVersion);
        }
        return MetaReply.error(StatusCode.INVALID_ARGUMENT.name(), "not a question: " + c);
    }

    // ---- direct reads (voters read their own copy)

    public synchronized long catalogVersion() {
        return catalogVersion;
    }

    public synchronized List<TableMeta> tables() {
        return new ArrayList<>(tables.values());
    }

    public synchronized Map<Long, Long> droppedTables() {
        return new TreeMap<>(dropped);
    }

    public synchronized Map<String, String> badReplicas() {
        return new TreeMap<>(bad);
    }

    public synchronized MetaReply.TxnView txn(long txnId) {
        Txn x = txns.get(txnId);
        return x == null ? null : x.view();
    }

    /** Loads not finished yet (running or committed but not visible), oldest first. */
    public synchronized List<MetaReply.TxnView> unfinished() {
        List<MetaReply.TxnView> out = new ArrayList<>();
        for (Txn x : txns.values()) {
            if (x.phase != TxnPhase.VISIBLE && x.phase != TxnPhase.ABORTED) {
                out.add(x.view());
            }
        }
        return out;
    }

    /** Committed and visible version of a tablet, or null when the log does not know it. */
    public synchronized long[] versions(long tabletId) {
        TabletLog tl = tablets.get(tabletId);
        return tl == null ? null : new long[] {tl.committed, tl.visible};
    }

    /** The identity a rowset holding exactly versions {@code [from-to]} of the tablet must have. */
    public synchronized long identity(long tabletId, long from, long to) {
        TabletLog tl = tablets.get(tabletId);
        return tl == null ? 0 : tl.xor(from, to);
    }

    // ---- snapshots

    /** The whole state as a value (for a snapshot file). */
    public synchronized MetaSnapshot.Snapshot snapshot() {
        return MetaSnapshot.of(this);
    }

    /** Replaces the whole state with a snapshot's. */
    public synchronized void restore(MetaSnapshot.Snapshot s) {
        MetaSnapshot.restore(this, s);
    }
}
