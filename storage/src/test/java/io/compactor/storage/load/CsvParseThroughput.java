package io.compactor.storage.load;

import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Prints single-threaded CSV and JSON parse throughput for a simple 4-column table. A program, not
 * a test: {@code java -cp <test+main classpath> io.compactor.storage.load.CsvParseThroughput [rows]}.
 */
public final class CsvParseThroughput {
    private CsvParseThroughput() {
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Schema schema = Schema.of(List.of(new Column("id", ColumnType.BIGINT, false, 0),
                new Column("name", ColumnType.VARCHAR, true, 32), new Column("score", ColumnType.DOUBLE, true, 0),
                new Column("ts", ColumnType.DATETIME, true, 0)), List.of("id"), KeysType.DUPLICATE_KEYS);
        StringBuilder csv = new StringBuilder(rows * 48);
        StringBuilder json = new StringBuilder(rows * 80);
        for (int i = 0; i < rows; i++) {
            csv.append(i).append("\tname_").append(i % 1000).append('\t').append(i % 977).append('.').append(i % 100)
                    .append("\t2024-05-").append(10 + i % 20).append(" 12:34:56\n");
            json.append("{\"id\":").append(i).append(",\"name\":\"name_").append(i % 1000).append("\",\"score\":")
                    .append(i % 977).append('.').append(i % 100).append(",\"ts\":\"2024-05-").append(10 + i % 20)
                    .append(" 12:34:56\"}\n");
        }
        measure("csv", schema, LoadOptions.DEFAULTS, csv.toString().getBytes(StandardCharsets.UTF_8), rows);
        measure("json", schema, LoadOptions.DEFAULTS.withFormat(LoadFormat.JSON),
                json.toString().getBytes(StandardCharsets.UTF_8), rows);
    }

    private static void measure(String name, Schema schema, LoadOptions options, byte[] body, int rows) {
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            RowParser p = RowParser.create(schema, options);
            for (int off = 0; off < body.length; off += 1 << 16) {
                p.feed(body, off, Math.min(1 << 16, body.length - off));
            }
            ParsedLoad result = p.finish();
            long nanos = System.nanoTime() - t0;
            if (result.loadedRows() != rows) {
                throw new IllegalStateException(name + ": parsed " + result.loadedRows() + " of " + rows + " rows: "
                        + result.errorSamples());
            }
            System.out.printf("%s round %d: %,d rows in %.1f ms = %,.0f rows/s, %.1f MB/s%n", name, round, rows,
                    nanos / 1e6, rows * 1e9 / nanos, body.length * 1e3 / nanos);
        }
    }
}
