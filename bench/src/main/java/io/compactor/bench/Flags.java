package io.compactor.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} command-line flags of the bench programs; unknown names are an error. */
final class Flags {
    private Flags() {
    }

    static Map<String, String> parse(String[] args, Set<String> known) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --<flag> <value>, got '" + a + "'; flags: " + known);
            }
            String name = a.substring(2);
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown flag --" + name + "; flags: " + known);
            }
            out.put(name, args[++i]);
        }
        return out;
    }

    static int intFlag(Map<String, String> flags, String name, int dflt, int min) {
        String v = flags.get(name);
        int n;
        try {
            n = v == null ? dflt : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'");
        }
        if (n < min) {
            throw new IllegalArgumentException("--" + name + " must be at least " + min + ", got " + n);
        }
        return n;
    }
}
