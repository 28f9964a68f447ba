package io.compactor.http;


/** Free loopback ports for tests that must name a port before a server binds it (cluster remoting). */
final class TestPorts {
    private TestPorts() {
    }

    /** Below the ephemeral range, so no outgoing connection takes it before the server binds it. */
    static int free() {
        return io.compactor.storage.util.LoopbackPorts.free();
    }
}
