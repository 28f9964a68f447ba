package io.compactor.actors.cluster;

/**
 * Marker for messages that cross nodes: bound to Pekko's {@code jackson-cbor} serializer when
 * cluster mode is on (see {@link ClusterConfigBuilder}). Records implementing it serialize as they
 * are; {@code ActorRef} fields go through Pekko's typed Jackson module.
 */
public interface CborSerializable {
}
