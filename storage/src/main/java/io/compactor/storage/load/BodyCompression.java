package io.compactor.storage.load;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Doris's {@code compress_type} of a stream-load body. The body is decompressed as a whole before
 * it is parsed; a body that does not decompress fails the load with a message naming the type.
 */
public enum BodyCompression {
    NONE, GZ, DEFLATE, BZ2, LZ4FRAME, ZSTD;

    /**
     * Parses a {@code compress_type} header value, case-insensitively, as Doris names the types
     * ({@code LZ4} is {@code LZ4FRAME}).
     *
     * @throws UnsupportedOperationException for a type Doris knows that is not available here
     *                                       (LZO, LZOP, SNAPPYBLOCK)
     * @throws IllegalArgumentException      for a value Doris does not know
     */
    public static BodyCompression parse(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        return switch (v) {
            case "GZ", "GZIP" -> GZ;
            case "DEFLATE" -> DEFLATE;
            case "BZ2", "BZIP2" -> BZ2;
            case "LZ4", "LZ4FRAME" -> LZ4FRAME;
            case "ZSTD" -> ZSTD;
            case "PLAIN" -> NONE;
            case "LZO", "LZOP", "SNAPPYBLOCK", "LZ4BLOCK" -> throw new UnsupportedOperationException(
                    "compress_type '" + value + "' is not supported; use GZ, DEFLATE, BZ2, LZ4 or ZSTD");
            default -> throw new IllegalArgumentException("unknown compress_type '" + value + "'");
        };
    }

    /**
     * The decompressed body.
     *
     * @param maxBytes the most bytes the decompressed body may have
     * @throws IllegalArgumentException when the body is not valid for this type or decompresses to
     *                                  more than {@code maxBytes}
     */
    public byte[] decompress(byte[] body, long maxBytes) {
        if (this == NONE) {
            return body;
        }
        try (InputStream in = open(new ByteArrayInputStream(body))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, body.length * 4));
            byte[] buf = new byte[64 << 10];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > maxBytes) {
                    throw new IllegalArgumentException("the " + name() + " body decompresses to more than " + maxBytes
                            + " bytes, the limit set by streaming_load_max_mb");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && iae.getMessage().contains("streaming_load_max_mb")) {
                throw iae;
            }
            throw new IllegalArgumentException("failed to decompress the " + name() + " body: " + e.getMessage(), e);
        }
    }

    private InputStream open(InputStream in) throws IOException {
        return switch (this) {
            case GZ -> new GZIPInputStream(in, 64 << 10);
            case DEFLATE -> new InflaterInputStream(in);
            case BZ2 -> new org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream(in, true);
            case LZ4FRAME -> new net.jpountz.lz4.LZ4FrameInputStream(in);
            case ZSTD -> new com.github.luben.zstd.ZstdInputStream(in);
            case NONE -> in;
        };
    }
}
