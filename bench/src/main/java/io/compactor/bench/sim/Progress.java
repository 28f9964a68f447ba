package io.compactor.bench.sim;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Live progress: on a terminal one line rewritten in place with {@code \r}; otherwise (a pipe or
 * a file) a plain line every {@code plainEverySec} seconds, so logs stay readable.
 */
public final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final double plainEverySec;
    private double lastPlain = -1e9;
    private int lastWidth;

    public Progress(PrintStream out, boolean terminal, double plainEverySec) {
        this.out = out;
        this.terminal = terminal;
        this.plainEverySec = plainEverySec;
    }

    public static String line(Sample s) {
        return String.format(Locale.ROOT,
                "[%6.1fs] %5.1f loads/s (offered %.1f, ok %.1f) n=%d fail=%d e235=%d | versions max=%d p99=%d | score=%d"
                        + " | running cumu=%d/%d base+full=%d+%d/%d | queued cumu=%d base=%d full=%d",
                s.tSec(), s.loadsPerSec(), s.offeredPerSec(), s.achievedPerSec(), s.loads(), s.loadsFailed(), s.loadsE235(), s.maxVersions(),
                s.p99Versions(), s.topScore(), s.runningCumu(), s.allowedCumu(), s.runningBase(), s.runningFull(),
                s.allowedBaseFull(), s.queuedCumu(), s.queuedBase(), s.queuedFull());
    }

    public synchronized void show(Sample s) {
        String text = line(s);
        if (terminal) {
            String pad = text.length() < lastWidth ? " ".repeat(lastWidth - text.length()) : "";
            out.print("\r" + text + pad);
            out.flush();
            lastWidth = text.length();
        } else if (s.tSec() - lastPlain >= plainEverySec - 1e-6) {
            out.println(text);
            lastPlain = s.tSec();
        }
    }

    /** Prints a message on its own line, keeping the live line intact on a terminal. */
    public synchronized void message(String text) {
        if (terminal && lastWidth > 0) {
            out.print("\r" + " ".repeat(lastWidth) + "\r");
            lastWidth = 0;
        }
        out.println(text);
    }

    /** Ends the live line. */
    public synchronized void finish() {
        if (terminal && lastWidth > 0) {
            out.println();
            lastWidth = 0;
        }
    }
}
