package io.compactor.api;

/**
 * What a tablet last reported about itself: the figures the supervisor schedules by and the
 * metrics and score endpoints show. Tablets publish a new one on every meta change.
 *
 * @param tabletId        the tablet
 * @param tableId         its table
 * @param dataDir         data dir path
 * @param versionCount    visible rowsets
 * @param totalScore      Doris's "real" compaction score: sum of rowset scores
 * @param cumulativeScore cumulative policy score (0 if nothing to do)
 * @param baseScore       base compaction score
 * @param maxVersion      highest visible version
 * @param rows            rows in visible rowsets (before merging by key)
 * @param bytes           bytes of visible rowsets
 */
public record TabletStats(long tabletId, long tableId, String dataDir, int versionCount, long totalScore,
                          long cumulativeScore, long baseScore, long maxVersion, long rows, long bytes,
                          long segments) {

    /** Stats without the segment count (0). */
    public TabletStats(long tabletId, long tableId, String dataDir, int versionCount, long totalScore,
                       long cumulativeScore, long baseScore, long maxVersion, long rows, long bytes) {
        this(tabletId, tableId, dataDir, versionCount, totalScore, cumulativeScore, baseScore, maxVersion, rows, bytes,
                0);
    }
}
