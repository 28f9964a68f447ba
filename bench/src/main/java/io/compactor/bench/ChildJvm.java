package io.compactor.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a bench program in a child JVM whose class path is this one's plus
 * {@code bench/target/paimon-lib}: dependencies that only a benchmark peer needs (Paimon, the
 * Hadoop client) never reach the server's class path ({@code bench/target/lib}). The child's
 * output is echoed; its last line with a given prefix is the answer.
 */
final class ChildJvm {
    private ChildJvm() {
    }

    static double runForLine(String mainClass, List<String> args, String prefix) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + Math.max(512, Runtime.getRuntime().maxMemory() >> 20) + "m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path") + File.pathSeparator + extraLib() + File.separator + "*");
        cmd.add(mainClass);
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String answer = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                System.out.println(line);
                if (line.startsWith(prefix)) {
                    answer = line.substring(prefix.length()).trim();
                }
            }
        }
        int code = p.waitFor();
        if (code != 0 || answer == null) {
            throw new IllegalStateException(mainClass + " child JVM exited with " + code
                    + (answer == null ? " without a '" + prefix + "' line" : ""));
        }
        return Double.parseDouble(answer);
    }

    /** {@code paimon-lib} beside the {@code lib} directory this program runs from. */
    private static Path extraLib() throws IOException {
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            Path p = Path.of(entry.endsWith("*") ? entry.substring(0, entry.length() - 1) : entry).toAbsolutePath();
            for (Path dir = Files.isDirectory(p) ? p : p.getParent(); dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolveSibling("paimon-lib");
                if (dir.getFileName() != null && (dir.getFileName().toString().equals("lib")
                        || dir.getFileName().toString().equals("classes")) && Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        }
        Path fallback = Path.of("bench", "target", "paimon-lib").toAbsolutePath();
        if (Files.isDirectory(fallback)) {
            return fallback;
        }
        throw new IOException("bench/target/paimon-lib not found (it is filled by 'mvn package' in the bench "
                + "module); class path: " + System.getProperty("java.class.path"));
    }
}
