package io.compactor.storage.tablet;

import java.util.Locale;

/**
 * The table property {@code compaction_priority}: a table's weight in the fair shares of
 * compaction between tables. {@code low} is 1, {@code normal} (the default) 4, {@code high} 16, or
 * a number from 1 to 100 is the weight itself.
 */
public final class CompactionPriority {
    public static final String KEY = "compaction_priority";
    public static final String DEFAULT = "normal";
    public static final int LOW = 1;
    public static final int NORMAL = 4;
    public static final int HIGH = 16;
    public static final int MAX_WEIGHT = 100;

    private CompactionPriority() {
    }

    /**
     * The weight of a priority value.
     *
     * @throws IllegalArgumentException naming the value when it is none of the above
     */
    public static int weightOf(String priority) {
        String p = priority == null ? "" : priority.trim().toLowerCase(Locale.ROOT);
        switch (p) {
            case "low":
                return LOW;
            case "normal":
                return NORMAL;
            case "high":
                return HIGH;
            default:
                try {
                    int w = Integer.parseInt(p);
                    if (w >= 1 && w <= MAX_WEIGHT) {
                        return w;
                    }
                } catch (NumberFormatException e) {
                    // the message below names the value
                }
                throw new IllegalArgumentException(KEY + " must be low, normal, high or a weight from 1 to "
                        + MAX_WEIGHT + ": " + priority);
        }
    }
}
