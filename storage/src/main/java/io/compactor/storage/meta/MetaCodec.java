package io.compactor.storage.meta;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.compactor.storage.rowset.RowsetMeta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON encoding of meta-store values. Derived methods such as {@code isEmpty()} or
 * {@code isMergeOnWrite()} are not persisted (is-getter detection is off), and unknown properties
 * are ignored on read, so a newer writer's extra fields do not break an older reader.
 */
final class MetaCodec {

    /** Whether a rowset entry is part of the visible version chain or was replaced by compaction. */
    enum RowsetState { VISIBLE, STALE }

    /**
     * Value of an {@code R} key.
     *
     * @param state     visible or stale
     * @param staleAtMs when compaction replaced it; null while visible
     * @param rowset    the rowset meta
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RowsetEntry(RowsetState state, Long staleAtMs, RowsetMeta rowset) {
    }

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .visibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private MetaCodec() {
    }

    static byte[] encode(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    static <T> T decode(byte[] key, byte[] value, Class<T> type) {
        try {
            return MAPPER.readValue(value, type);
        } catch (IOException e) {
            throw new MetaStoreException("meta store: corrupt " + type.getSimpleName() + " value under key "
                    + MetaKeys.hex(key) + ": " + e.getMessage(), e);
        }
    }

    static byte[] encodeSequence(long highWaterMark) {
        return Long.toString(highWaterMark).getBytes(StandardCharsets.US_ASCII);
    }

    static long decodeSequence(byte[] key, byte[] value) {
        try {
            return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new MetaStoreException("meta store: corrupt sequence value under key " + MetaKeys.hex(key)
                    + ": '" + new String(value, StandardCharsets.US_ASCII) + "'", e);
        }
    }
}
