package io.compactor.actors.compaction;

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
        "status_msg"})
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
        @com.fasterxml.jackson.annotation.JsonProperty("status_msg") String statusMsg) {
}
