package io.compactor.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One finished compaction task, with the fields of Doris's compaction profile
 * ({@code /api/compaction/profile}). Times are epoch milliseconds rendered as text by the HTTP layer.
 */
@JsonPropertyOrder({"compaction_id", "compaction_type", "tablet_id", "table_id", "partition_id", "trigger_method",
        "compaction_score", "scheduled_time", "start_time", "end_time", "cost_time_ms", "success",
        "input_rowsets_count", "input_row_num", "input_data_size", "input_index_size", "input_total_size",
        "input_segments_num", "input_version_range", "merged_rows", "filtered_rows", "output_rows",
        "output_row_num", "output_data_size", "output_index_size", "output_total_size", "output_segments_num",
        "output_version", "merge_latency_ms", "bytes_read_from_local", "bytes_read_from_remote",
        "peak_memory_bytes", "is_vertical", "permits", "vertical_total_groups", "vertical_completed_groups",
        "status", "cancelled_by", "cancelled_at", "status_msg"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompactionProfile(
        @com.fasterxml.jackson.annotation.JsonProperty("compaction_id") long compactionId,
        @com.fasterxml.jackson.annotation.JsonProperty("compaction_type") String compactionType,
        @com.fasterxml.jackson.annotation.JsonProperty("tablet_id") long tabletId,
        @com.fasterxml.jackson.annotation.JsonProperty("table_id") long tableId,
        @com.fasterxml.jackson.annotation.JsonProperty("partition_id") long partitionId,
        @com.fasterxml.jackson.annotation.JsonProperty("trigger_method") String triggerMethod,
        @com.fasterxml.jackson.annotation.JsonProperty("compaction_score") long compactionScore,
        @com.fasterxml.jackson.annotation.JsonProperty("scheduled_time") String scheduledTime,
        @com.fasterxml.jackson.annotation.JsonProperty("start_time") String startTime,
        @com.fasterxml.jackson.annotation.JsonProperty("end_time") String endTime,
        @com.fasterxml.jackson.annotation.JsonProperty("cost_time_ms") long costTimeMs,
        @com.fasterxml.jackson.annotation.JsonProperty("success") boolean success,
        @com.fasterxml.jackson.annotation.JsonProperty("input_rowsets_count") int inputRowsetsCount,
        @com.fasterxml.jackson.annotation.JsonProperty("input_row_num") long inputRowNum,
        @com.fasterxml.jackson.annotation.JsonProperty("input_data_size") long inputDataSize,
        @com.fasterxml.jackson.annotation.JsonProperty("input_index_size") long inputIndexSize,
        @com.fasterxml.jackson.annotation.JsonProperty("input_total_size") long inputTotalSize,
        @com.fasterxml.jackson.annotation.JsonProperty("input_segments_num") int inputSegmentsNum,
        @com.fasterxml.jackson.annotation.JsonProperty("input_version_range") String inputVersionRange,
        @com.fasterxml.jackson.annotation.JsonProperty("merged_rows") long mergedRows,
        @com.fasterxml.jackson.annotation.JsonProperty("filtered_rows") long filteredRows,
        @com.fasterxml.jackson.annotation.JsonProperty("output_rows") long outputRows,
        @com.fasterxml.jackson.annotation.JsonProperty("output_row_num") long outputRowNum,
        @com.fasterxml.jackson.annotation.JsonProperty("output_data_size") long outputDataSize,
        @com.fasterxml.jackson.annotation.JsonProperty("output_index_size") long outputIndexSize,
        @com.fasterxml.jackson.annotation.JsonProperty("output_total_size") long outputTotalSize,
        @com.fasterxml.jackson.annotation.JsonProperty("output_segments_num") int outputSegmentsNum,
        @com.fasterxml.jackson.annotation.JsonProperty("output_version") String outputVersion,
        @com.fasterxml.jackson.annotation.JsonProperty("merge_latency_ms") long mergeLatencyMs,
        @com.fasterxml.jackson.annotation.JsonProperty("bytes_read_from_local") long bytesReadFromLocal,
        @com.fasterxml.jackson.annotation.JsonProperty("bytes_read_from_remote") long bytesReadFromRemote,
        @com.fasterxml.jackson.annotation.JsonProperty("peak_memory_bytes") long peakMemoryBytes,
        @com.fasterxml.jackson.annotation.JsonProperty("is_vertical") boolean isVertical,
        @com.fasterxml.jackson.annotation.JsonProperty("permits") long permits,
        @com.fasterxml.jackson.annotation.JsonProperty("vertical_total_groups") int verticalTotalGroups,
        @com.fasterxml.jackson.annotation.JsonProperty("vertical_completed_groups") int verticalCompletedGroups,
        @com.fasterxml.jackson.annotation.JsonProperty("status") String status,
        @com.fasterxml.jackson.annotation.JsonProperty("cancelled_by") String cancelledBy,
        @com.fasterxml.jackson.annotation.JsonProperty("cancelled_at") String cancelledAt,
        @com.fasterxml.jackson.annotation.JsonProperty("status_msg") String statusMsg) {

    /** {@code status} of a task that committed. */
    public static final String SUCCESS = "SUCCESS";
    /** {@code status} of a task that failed (its inputs stay). */
    public static final String FAILED = "FAILED";
    /** {@code status} of a task an operator cancelled, queued or running (nothing visible changed). */
    public static final String CANCELLED = "CANCELLED";

    /** Starts a profile of one task; the fields Doris keeps that we have no source for stay 0. */
    public static Builder builder(long compactionId, String compactionType, long tabletId, long tableId) {
        return new Builder(compactionId, compactionType, tabletId, tableId);
    }

    /** Builds a {@link CompactionProfile} by parts: the task, its input, its output, how it merged. */
    public static final class Builder {
        private final long compactionId;
        private final String compactionType;
        private final long tabletId;
        private final long tableId;
        private String trigger;
        private long score;
        private long permits;
        private String scheduledTime;
        private String startTime;
        private String endTime;
        private long costTimeMs;
        private int inputRowsets;
        private long inputRows;
        private long inputBytes;
        private int inputSegments;
        private String inputVersions;
        private long outputRows;
        private long outputBytes;
        private int outputSegments;
        private String outputVersion;
        private long mergedRows;
        private long peakMemoryBytes;
        private boolean vertical;
        private int verticalGroups;
        private String statusMsg;
        private String cancelledBy;
        private String cancelledAt;
        private int completedGroups = -1;

        private Builder(long compactionId, String compactionType, long tabletId, long tableId) {
            this.compactionId = compactionId;
            this.compactionType = compactionType;
            this.tabletId = tabletId;
            this.tableId = tableId;
        }

        /** How it was triggered (AUTOMATIC, MANUAL...), its score and the permits it held. */
        public Builder task(String trigger, long score, long permits) {
            this.trigger = trigger;
            this.score = score;
            this.permits = permits;
            return this;
        }

        /** When it was scheduled, started and ended (rendered times) and how long it ran. */
        public Builder times(String scheduled, String start, String end, long costMs) {
            this.scheduledTime = scheduled;
            this.startTime = start;
            this.endTime = end;
            this.costTimeMs = costMs;
            return this;
        }

        public Builder input(int rowsets, long rows, long bytes, int segments, String versions) {
            this.inputRowsets = rowsets;
            this.inputRows = rows;
            this.inputBytes = bytes;
            this.inputSegments = segments;
            this.inputVersions = versions;
            return this;
        }

        public Builder output(long rows, long bytes, int segments, String version) {
            this.outputRows = rows;
            this.outputBytes = bytes;
            this.outputSegments = segments;
            this.outputVersion = version;
            return this;
        }

        /** Rows merged away, peak memory, and whether it merged vertically in {@code groups} column groups. */
        public Builder merge(long mergedRows, long peakMemoryBytes, boolean vertical, int groups) {
            this.mergedRows = mergedRows;
            this.peakMemoryBytes = peakMemoryBytes;
            this.vertical = vertical;
            this.verticalGroups = vertical ? groups : 0;
            return this;
        }

        /** Null on success, else the status text. */
        public Builder failure(String statusMsg) {
            this.statusMsg = statusMsg;
            return this;
        }

        /** Column groups a vertical merge finished (default: all of them). */
        public Builder completedGroups(int groups) {
            this.completedGroups = groups;
            return this;
        }

        /** The task was cancelled by {@code by} at {@code at} (rendered time); {@code statusMsg} says how. */
        public Builder cancelled(String by, String at, String statusMsg) {
            this.cancelledBy = by;
            this.cancelledAt = at;
            this.statusMsg = statusMsg;
            return this;
        }

        public CompactionProfile build() {
            boolean success = statusMsg == null;
            String status = success ? SUCCESS : cancelledBy != null ? CANCELLED : FAILED;
            return new CompactionProfile(compactionId, compactionType, tabletId, tableId, tableId, trigger, score,
                    scheduledTime, startTime, endTime, costTimeMs, success, inputRowsets, inputRows, inputBytes, 0,
                    inputBytes, inputSegments, inputVersions, mergedRows, 0, outputRows, outputRows, outputBytes, 0,
                    outputBytes, outputSegments, outputVersion, costTimeMs, inputBytes, 0, peakMemoryBytes, vertical,
                    permits, verticalGroups, completedGroups < 0 ? verticalGroups : completedGroups, status,
                    cancelledBy, cancelledAt, statusMsg);
        }
    }
}
