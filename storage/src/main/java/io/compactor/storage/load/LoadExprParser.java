package io.compactor.storage.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Parses the predicates of {@link LoadExpr}: tokens, then precedence climbing (OR, AND, NOT, predicates). */
final class LoadExprParser {
    private LoadExprParser() {
    }

    static LoadExpr.Node parse(String header, String text) {
        Parser p = new Parser(header, text);
        LoadExpr.Node n = p.or();
        if (p.peek() != null) {
            throw p.error("unexpected '" + p.peek().text() + "'");
        }
        return n;
    }


    record Token(String kind, String text, Object value) {
    }

    static final class Parser {
        private final String header;
        private final String source;
        private final List<Token> tokens = new ArrayList<>();
        private int at;

        Parser(String header, String source) {
            this.header = header;
            this.source = source;
            tokenize();
        }

        IllegalArgumentException error(String why) {
            return new IllegalArgumentException("Invalid " + header + " '" + source + "': " + why);
        }

        private void tokenize() {
            String s = source;
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '\'' || c == '"') {
                    StringBuilder sb = new StringBuilder();
                    int j = i + 1;
                    while (true) {
                        if (j >= s.length()) {
                            throw error("unterminated string literal");
                        }
                        char d = s.charAt(j);
                        if (d == '\\' && j + 1 < s.length()) {
                            sb.append(s.charAt(j + 1));
                            j += 2;
                        } else if (d == c && j + 1 < s.length() && s.charAt(j + 1) == c) {
                            sb.append(c);
                            j += 2;
                        } else if (d == c) {
                            break;
                        } else {
                            sb.append(d);
                            j++;
                        }
                    }
                    tokens.add(new Token("lit", s.substring(i, j + 1), sb.toString()));
                    i = j + 1;
                } else if (c == '`') {
                    int j = s.indexOf('`', i + 1);
                    if (j < 0) {
                        throw error("unterminated `name`");
                    }
                    tokens.add(new Token("name", s.substring(i + 1, j), null));
                    i = j + 1;
                } else if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))
                        || ((c == '-' || c == '+') && i + 1 < s.length() && (Character.isDigit(s.charAt(i + 1))
                        || s.charAt(i + 1) == '.') && numberMayStart())) {
                    int j = i + 1;
                    while (j < s.length() && (Character.isDigit(s.charAt(j)) || s.charAt(j) == '.'
                            || s.charAt(j) == 'e' || s.charAt(j) == 'E'
                            || ((s.charAt(j) == '-' || s.charAt(j) == '+') && (s.charAt(j - 1) == 'e'
                            || s.charAt(j - 1) == 'E')))) {
                        j++;
                    }
                    String num = s.substring(i, j);
                    Object v;
                    try {
                        v = num.contains(".") || num.contains("e") || num.contains("E") ? (Object) Double.parseDouble(num)
                                : (Object) Long.parseLong(num);
                    } catch (NumberFormatException e) {
                        throw error("'" + num + "' is not a number");
                    }
                    tokens.add(new Token("lit", num, v));
                    i = j;
                } else if (Character.isLetter(c) || c == '_') {
                    int j = i + 1;
                    while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                        j++;
                    }
                    String word = s.substring(i, j);
                    String upper = word.toUpperCase(Locale.ROOT);
                    switch (upper) {
                        case "AND", "OR", "NOT", "IS", "IN", "BETWEEN", "LIKE" -> tokens.add(new Token("kw", upper, null));
                        case "NULL" -> tokens.add(new Token("null", word, null));
                        case "TRUE", "FALSE" -> tokens.add(new Token("lit", word, upper.equals("TRUE")));
                        default -> tokens.add(new Token("name", word, null));
                    }
                    i = j;
                } else {
                    String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
                    switch (two) {
                        case "<=", ">=", "!=", "<>", "==" -> {
                            tokens.add(new Token("op", two.equals("<>") ? "!=" : two.equals("==") ? "=" : two, null));
                            i += 2;
                            continue;
                        }
                        default -> {
                        }
                    }
                    switch (c) {
                        case '=', '<', '>', '(', ')', ',' -> tokens.add(new Token("op", String.valueOf(c), null));
                        case '&' -> {
                            if (two.equals("&&")) {
                                tokens.add(new Token("kw", "AND", null));
                                i += 2;
                                continue;
                            }
                            throw error("unsupported operator '&'");
                        }
                        case '|' -> {
                            if (two.equals("||")) {
                                tokens.add(new Token("kw", "OR", null));
                                i += 2;
                                continue;
                            }
                            throw error("unsupported operator '|'");
                        }
                        default -> throw error("unsupported character '" + c + "' (functions and arithmetic are not "
                                + "supported)");
                    }
                    i++;
                }
            }
        }

        /** A sign starts a number only where an operand may start. */
        private boolean numberMayStart() {
            if (tokens.isEmpty()) {
                return true;
            }
            Token last = tokens.get(tokens.size() - 1);
            return last.kind.equals("kw") || (last.kind.equals("op") && !last.text.equals(")"));
        }

        Token peek() {
            return at < tokens.size() ? tokens.get(at) : null;
        }

        private boolean acceptKw(String kw) {
            Token t = peek();
            if (t != null && t.kind.equals("kw") && t.text.equals(kw)) {
                at++;
                return true;
            }
            return false;
        }

        private boolean acceptOp(String op) {
            Token t = peek();
            if (t != null && t.kind.equals("op") && t.text.equals(op)) {
                at++;
                return true;
            }
            return false;
        }

        private void expectOp(String op) {
            if (!acceptOp(op)) {
                Token t = peek();
                throw error("expected '" + op + "'" + (t == null ? " at the end" : " before '" + t.text + "'"));
            }
        }

        LoadExpr.Node or() {
            LoadExpr.Node n = and();
            while (acceptKw("OR")) {
                n = new LoadExpr.Logic("OR", n, and());
            }
            return n;
        }

        private LoadExpr.Node and() {
            LoadExpr.Node n = not();
            while (acceptKw("AND")) {
                n = new LoadExpr.Logic("AND", n, not());
            }
            return n;
        }

        private LoadExpr.Node not() {
            if (acceptKw("NOT")) {
                return new LoadExpr.Logic("NOT", not(), null);
            }
            return predicate();
        }

        private LoadExpr.Node predicate() {
            Token t = peek();
            if (t != null && t.kind.equals("op") && t.text.equals("(")) {
                int save = at;
                at++;
                LoadExpr.Node inner = or();
                expectOp(")");
                Token next = peek();
                if (next == null || next.kind.equals("kw") && (next.text.equals("AND") || next.text.equals("OR"))
                        || next.kind.equals("op") && next.text.equals(")")) {
                    return inner;
                }
                at = save;
                throw error("a parenthesised expression can not be compared");
            }
            LoadExpr.Operand left = operand();
            if (acceptKw("IS")) {
                boolean neg = acceptKw("NOT");
                Token n = peek();
                if (n == null || !n.kind.equals("null")) {
                    throw error("expected NULL after IS");
                }
                at++;
                return new LoadExpr.Predicate("IS NULL", neg, left, List.of());
            }
            boolean neg = acceptKw("NOT");
            if (acceptKw("IN")) {
                expectOp("(");
                List<LoadExpr.Operand> items = new ArrayList<>();
                do {
                    items.add(operand());
                } while (acceptOp(","));
                expectOp(")");
                return new LoadExpr.Predicate("IN", neg, left, items);
            }
            if (acceptKw("BETWEEN")) {
                LoadExpr.Operand lo = operand();
                if (!acceptKw("AND")) {
                    throw error("expected AND in BETWEEN");
                }
                return new LoadExpr.Predicate("BETWEEN", neg, left, List.of(lo, operand()));
            }
            if (acceptKw("LIKE")) {
                throw error("LIKE is not supported");
            }
            if (neg) {
                throw error("expected IN or BETWEEN after NOT");
            }
            Token op = peek();
            if (op == null || !op.kind.equals("op") || !List.of("=", "!=", "<", "<=", ">", ">=").contains(op.text)) {
                throw error(op == null ? "expected a comparison at the end" : "expected a comparison before '"
                        + op.text + "'");
            }
            at++;
            return new LoadExpr.Predicate(op.text, false, left, List.of(operand()));
        }

        private LoadExpr.Operand operand() {
            Token t = peek();
            if (t == null) {
                throw error("expected a column or a value at the end");
            }
            at++;
            return switch (t.kind) {
                case "name" -> {
                    Token next = peek();
                    if (next != null && next.kind.equals("op") && next.text.equals("(")) {
                        throw error("function " + t.text + "() is not supported");
                    }
                    yield new LoadExpr.Operand(t.text, null, false, t.text);
                }
                case "lit" -> new LoadExpr.Operand(null, t.value, false, t.text);
                case "null" -> new LoadExpr.Operand(null, null, true, "NULL");
                default -> throw error("unexpected '" + t.text + "'");
            };
        }
    }

}
