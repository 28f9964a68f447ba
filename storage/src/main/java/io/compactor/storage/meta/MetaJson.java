package io.compactor.storage.meta;

import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TableMeta;

/**
 * The meta store's JSON form of tables and schemas, for shipping them between nodes: what one
 * node stores another decodes exactly (same encoder, same tolerance of unknown fields).
 */
public final class MetaJson {
    private MetaJson() {
    }

    public static byte[] encodeTable(TableMeta table) {
        return MetaCodec.encode(table);
    }

    /** @throws MetaStoreException when the bytes are not a table */
    public static TableMeta decodeTable(byte[] json) {
        return MetaCodec.decode(new byte[0], json, TableMeta.class);
    }

    public static byte[] encodeSchema(Schema schema) {
        return MetaCodec.encode(schema);
    }

    public static Schema decodeSchema(byte[] json) {
        return MetaCodec.decode(new byte[0], json, Schema.class);
    }
}
