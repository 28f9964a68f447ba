package io.compactor.storage.load;

import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A predicate of Doris's {@code where} and {@code delete} stream-load headers: comparisons
 * ({@code = != <> < <= > >=}) between columns and literals, {@code IS [NOT] NULL},
 * {@code [NOT] IN (...)}, {@code [NOT] BETWEEN a AND b}, combined with {@code AND}, {@code OR},
 * {@code NOT} and parentheses. Literals are numbers, {@code 'strings'}, {@code NULL}, {@code TRUE}
 * and {@code FALSE}; a literal compared with a column is converted to the column's type (a
 * {@code '2024-01-01'} against a DATE column). SQL's three-valued logic: a comparison with NULL is
 * unknown, and a row is selected only when the predicate is true. Functions and arithmetic are
 * refused with a message naming the header. Parse with {@link #parse}, then {@link #bind} to a
 * schema before {@link #test}.
 */
public final class LoadExpr {
    private final String header;
    private final String text;
    private final Node root;

    private LoadExpr(String header, String text, Node root) {
        this.header = header;
        this.text = text;
        this.root = root;
    }

    /**
     * Parses a predicate.
     *
     * @throws IllegalArgumentException naming the header and what does not parse
     */
    public static LoadExpr parse(String header, String text) {
        return new LoadExpr(header, text, LoadExprParser.parse(header, text));
    }

    /**
     * This predicate with its column names resolved in {@code schema} and its literals converted
     * to their columns' types.
     *
     * @throws IllegalArgumentException naming an unknown column or a literal that does not convert
     */
    public Bound bind(Schema schema) {
        return new Bound(root.bind(schema, this));
    }

    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoadExpr e && e.text.equals(text) && e.header.equals(header);
    }

    @Override
    public int hashCode() {
        return Objects.hash(header, text);
    }

    @Override
    public String toString() {
        return header + "=" + text;
    }

    /** A predicate bound to a schema. */
    public static final class Bound {
        private final BoundNode root;

        private Bound(BoundNode root) {
            this.root = root;
        }

        /** Whether row {@code r} of {@code rows} is selected (the predicate is true, not false or unknown). */
        public boolean test(RowBatch rows, int r) {
            return Boolean.TRUE.equals(root.eval(rows, r));
        }
    }

    // ---- values: Long (LONG physical), Double, byte[] (VARCHAR), null

    private interface BoundNode {
        /** TRUE, FALSE or null (unknown). */
        Boolean eval(RowBatch rows, int r);
    }

    private interface ValueNode {
        Object value(RowBatch rows, int r);

        ColumnType type();
    }

    abstract static class Node {
        abstract BoundNode bind(Schema schema, LoadExpr owner);
    }

    record Operand(String column, Object literal, boolean isNull, String shown) {
        boolean isColumn() {
            return column != null;
        }
    }

    static final class Logic extends Node {
        final String op;
        final Node a;
        final Node b;

        Logic(String op, Node a, Node b) {
            this.op = op;
            this.a = a;
            this.b = b;
        }

        @Override
        BoundNode bind(Schema schema, LoadExpr owner) {
            BoundNode x = a.bind(schema, owner);
            BoundNode y = b == null ? null : b.bind(schema, owner);
            return switch (op) {
                case "AND" -> (rows, r) -> {
                    Boolean l = x.eval(rows, r);
                    if (Boolean.FALSE.equals(l)) {
                        return false;
                    }
                    Boolean m = y.eval(rows, r);
                    if (Boolean.FALSE.equals(m)) {
                        return false;
                    }
                    return l == null || m == null ? null : true;
                };
                case "OR" -> (rows, r) -> {
                    Boolean l = x.eval(rows, r);
                    if (Boolean.TRUE.equals(l)) {
                        return true;
                    }
                    Boolean m = y.eval(rows, r);
                    if (Boolean.TRUE.equals(m)) {
                        return true;
                    }
                    return l == null || m == null ? null : false;
                };
                default -> (rows, r) -> {
                    Boolean l = x.eval(rows, r);
                    return l == null ? null : !l;
                };
            };
        }
    }

    /** A comparison, IS NULL, IN or BETWEEN: a left operand and right operands. */
    static final class Predicate extends Node {
        final String op;
        final boolean negated;
        final Operand left;
        final List<Operand> right;

        Predicate(String op, boolean negated, Operand left, List<Operand> right) {
            this.op = op;
            this.negated = negated;
            this.left = left;
            this.right = right;
        }

        @Override
        BoundNode bind(Schema schema, LoadExpr owner) {
            ColumnType type = null;
            if (left.isColumn()) {
                type = schema.column(owner.column(schema, left.column)).type();
            } else {
                for (Operand o : right) {
                    if (o.isColumn()) {
                        type = schema.column(owner.column(schema, o.column)).type();
                        break;
                    }
                }
            }
            ValueNode l = owner.value(schema, left, type);
            List<ValueNode> rs = new ArrayList<>();
            for (Operand o : right) {
                rs.add(owner.value(schema, o, type));
            }
            BoundNode plain = switch (op) {
                case "IS NULL" -> (rows, r) -> l.value(rows, r) == null;
                case "IN" -> (rows, r) -> {
                    Object v = l.value(rows, r);
                    if (v == null) {
                        return null;
                    }
                    boolean unknown = false;
                    for (ValueNode x : rs) {
                        Object w = x.value(rows, r);
                        if (w == null) {
                            unknown = true;
                        } else if (compare(v, w) == 0) {
                            return true;
                        }
                    }
                    return unknown ? null : false;
                };
                case "BETWEEN" -> (rows, r) -> {
                    Object v = l.value(rows, r);
                    Object lo = rs.get(0).value(rows, r);
                    Object hi = rs.get(1).value(rows, r);
                    if (v == null || lo == null || hi == null) {
                        return null;
                    }
                    return compare(v, lo) >= 0 && compare(v, hi) <= 0;
                };
                default -> {
                    ValueNode rv = rs.get(0);
                    String cmp = op;
                    yield (rows, r) -> {
                        Object v = l.value(rows, r);
                        Object w = rv.value(rows, r);
                        if (v == null || w == null) {
                            return null;
                        }
                        int c = compare(v, w);
                        return switch (cmp) {
                            case "=" -> c == 0;
                            case "!=" -> c != 0;
                            case "<" -> c < 0;
                            case "<=" -> c <= 0;
                            case ">" -> c > 0;
                            default -> c >= 0;
                        };
                    };
                }
            };
            if (!negated) {
                return plain;
            }
            return (rows, r) -> {
                Boolean b = plain.eval(rows, r);
                return b == null ? null : !b;
            };
        }
    }

    private int column(Schema schema, String name) {
        int c = schema.indexOf(name);
        if (c < 0) {
            throw new IllegalArgumentException("Unknown column '" + name + "' in header '" + header + "': " + text);
        }
        return c;
    }

    private ValueNode value(Schema schema, Operand o, ColumnType against) {
        if (o.isColumn()) {
            int c = column(schema, o.column);
            ColumnType t = schema.column(c).type();
            return new ValueNode() {
                @Override
                public Object value(RowBatch rows, int r) {
                    if (rows.isNull(r, c)) {
                        return null;
                    }
                    return switch (t.physical()) {
                        case LONG -> rows.getLong(r, c);
                        case DOUBLE -> rows.getDouble(r, c);
                        case BYTES -> rows.getBytes(r, c);
                    };
                }

                @Override
                public ColumnType type() {
                    return t;
                }
            };
        }
        Object v = o.isNull ? null : convert(o, against);
        return new ValueNode() {
            @Override
            public Object value(RowBatch rows, int r) {
                return v;
            }

            @Override
            public ColumnType type() {
                return against;
            }
        };
    }

    /** A literal as a value of {@code type} (a column it is compared with), or as itself without one. */
    private Object convert(Operand o, ColumnType type) {
        Object lit = o.literal;
        if (type == null) {
            return lit instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : lit;
        }
        if (lit instanceof Boolean b) {
            lit = b ? "1" : "0";
        }
        String textForm = lit instanceof String s ? s : lit.toString();
        if (type == ColumnType.VARCHAR) {
            return textForm.getBytes(StandardCharsets.UTF_8);
        }
        byte[] b = textForm.getBytes(StandardCharsets.UTF_8);
        ValueParser p = new ValueParser();
        int status = switch (type) {
            case INT -> p.parseInt(b, 0, b.length);
            case BIGINT -> p.parseLong(b, 0, b.length);
            case DATE -> p.parseDate(b, 0, b.length);
            case DATETIME -> p.parseDateTime(b, 0, b.length);
            case DOUBLE -> p.parseDouble(b, 0, b.length);
            default -> ValueParser.INVALID;
        };
        if (status != ValueParser.OK && type.physical() == ColumnType.Physical.LONG && lit instanceof Double d) {
            // 3.0 against an INT column
            if (d == Math.rint(d)) {
                return d.longValue();
            }
            return d; // compared numerically with the long column
        }
        if (status != ValueParser.OK) {
            throw new IllegalArgumentException("Invalid " + header + ": literal " + o.shown + " is not a valid "
                    + type + " (" + text + ")");
        }
        return type == ColumnType.DOUBLE ? (Object) p.doubleValue : (Object) p.longValue;
    }

    private static int compare(Object a, Object b) {
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.compareUnsigned(x, y);
        }
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        // text against a number: compare as text, as a cast of both to string would
        return Arrays.compareUnsigned(text(a), text(b));
    }

    private static byte[] text(Object v) {
        return v instanceof byte[] b ? b : v.toString().getBytes(StandardCharsets.UTF_8);
    }

}
