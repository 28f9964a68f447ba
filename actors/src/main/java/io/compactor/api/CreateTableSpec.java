package io.compactor.api;

import io.compactor.storage.schema.Schema;
import java.util.Map;

/** What CREATE TABLE gives: a validated schema, bucket and replica counts, properties. */
public record CreateTableSpec(String db, String name, Schema schema, int buckets, int replicationNum,
                              Map<String, String> properties) {
}
