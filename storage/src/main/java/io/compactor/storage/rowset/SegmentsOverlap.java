package io.compactor.storage.rowset;

/** Whether a rowset's segments may hold overlapping key ranges, as Doris records it. */
public enum SegmentsOverlap { OVERLAP_UNKNOWN, OVERLAPPING, NONOVERLAPPING }
