package io.compactor.storage.rowset;

/** A rowset's version range {@code [start-end]}, both inclusive. */
public record Version(long start, long end) implements Comparable<Version> {
    public Version {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("invalid version range [" + start + "-" + end + "]");
        }
    }

    public static Version of(long v) {
        return new Version(v, v);
    }

    public boolean isSingleton() {
        return start == end;
    }

    public boolean contains(Version other) {
        return start <= other.start && other.end <= end;
    }

    @Override
    public int compareTo(Version o) {
        int c = Long.compare(start, o.start);
        return c != 0 ? c : Long.compare(end, o.end);
    }

    @Override
    public String toString() {
        return "[" + start + "-" + end + "]";
    }
}
