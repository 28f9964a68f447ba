package io.compactor.storage.util;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for tests and tools that must name a port before a server binds it (cluster
 * remoting, the meta log's voters). They are drawn below the kernel's ephemeral range, so an
 * outgoing connection can never take one between the draw and the bind, and never twice in one JVM.
 */
public final class LoopbackPorts {
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();
    private static final int LOW = 20_000;

    private LoopbackPorts() {
    }

    /** The first port of the ephemeral range (32768 when it can not be read). */
    static int ephemeralStart() {
        try {
            String s = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(s.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    /** A port nobody listens on now, below the ephemeral range. */
    public static int free() {
        int high = Math.max(LOW + 1000, ephemeralStart());
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, high);
            if (!GIVEN.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException busy) {
                // taken: draw again
            }
        }
        throw new IllegalStateException("no free loopback port found between " + LOW + " and " + high);
    }
}
