#!/usr/bin/env bash
# A loop of Doris-style stream loads (PUT /api/{db}/{table}/_stream_load) from a file or generated rows.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

usage() {
  cat <<USAGE
usage: $(basename "$0") -d DB -n TABLE (-f FILE | -g ROWS) [-c COUNT] [-i SECONDS] [-l LABEL_PREFIX]
                        [-s SEPARATOR] [-F csv|json] [-k KEYSPACE] [-H HOST] [-P PORT] [-u USER:PASS]

Sends stream loads in a loop and prints each answer (Status, rows, time; the message when it failed).
  -f FILE     send this file as every load's body
  -g ROWS     generate ROWS rows per load from the table's columns (GET /api/DB/TABLE); the first
              column counts up across loads (append), or is random below KEYSPACE with -k (upserts)
  -c COUNT    number of loads (default 0: until Ctrl-C)
  -i SECONDS  pause between loads (default 1; decimals allowed)
  -l PREFIX   label prefix (default loop-<epoch>); label = PREFIX-<n>
  -s SEP      column separator header for -f (default tab); generated rows use tab
  -F FORMAT   format header for -f: csv (default) or json
  -H, -P      node host and port (default from COMPACTOR=$COMPACTOR); -u basic auth user:password
Ends with a summary; exit 1 if any load failed.
USAGE
}

db="" table="" file="" rows="" count=0 interval=1 prefix="loop-$(date +%s)" sep=$'\t' format=csv keyspace=""
while getopts ":d:n:f:g:c:i:l:s:F:k:H:P:u:h" opt; do
  case "$opt" in
    d) db="$OPTARG" ;;
    n) table="$OPTARG" ;;
    f) file="$OPTARG" ;;
    g) [[ "$OPTARG" =~ ^[0-9]+$ ]] || usage_error "-g: expected a row count, got '$OPTARG'"; rows="$OPTARG" ;;
    c) [[ "$OPTARG" =~ ^[0-9]+$ ]] || usage_error "-c: expected a count, got '$OPTARG'"; count="$OPTARG" ;;
    i) [[ "$OPTARG" =~ ^[0-9]+([.][0-9]+)?$ ]] || usage_error "-i: expected seconds, got '$OPTARG'"; interval="$OPTARG" ;;
    l) prefix="$OPTARG" ;;
    s) sep="$OPTARG" ;;
    F) [ "$OPTARG" = csv ] || [ "$OPTARG" = json ] || usage_error "-F: expected csv or json, got '$OPTARG'"; format="$OPTARG" ;;
    k) [[ "$OPTARG" =~ ^[1-9][0-9]*$ ]] || usage_error "-k: expected a positive key count, got '$OPTARG'"; keyspace="$OPTARG" ;;
    h) usage; exit 0 ;;
    :) usage_error "-$OPTARG needs a value" ;;
    \?) usage_error "unknown option -$OPTARG" ;;
    *) common_flag "$opt" "$OPTARG" || usage_error "unknown option -$opt" ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage_error "unexpected argument '$1'"
[ -n "$db" ] || usage_error "-d DB is required"
[ -n "$table" ] || usage_error "-n TABLE is required"
[ -n "$file$rows" ] || usage_error "give -f FILE or -g ROWS"
[ -z "$file" ] || [ -z "$rows" ] || usage_error "give -f or -g, not both"
[ -z "$file" ] || [ -r "$file" ] || usage_error "-f: can not read '$file'"

types=""
if [ -n "$rows" ]; then
  call GET "/api/$db/$table"
  [ "$HTTP_CODE" = 200 ] || die "GET /api/$db/$table answered HTTP $HTTP_CODE: $(json_str msg)"
  types="$(printf '%s' "$BODY" | tr -d '\n' | sed 's/"key_columns".*//' | grep -o '"type" *: *"[A-Z]*' | sed 's/.*"//' | xargs)"
  [ -n "$types" ] || die "GET /api/$db/$table: no columns found"
  sep=$'\t'
  format=csv
fi

tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT

# generate N: writes ROWS rows of load N to $tmp (awk: fast even for large loads).
generate() {
  awk -v n="$1" -v rows="$rows" -v types="$types" -v keyspace="${keyspace:-0}" 'BEGIN {
    srand(n + 1); nt = split(types, t, " ");
    for (i = 0; i < rows; i++) {
      line = "";
      for (c = 1; c <= nt; c++) {
        if (c == 1 && (t[c] == "INT" || t[c] == "BIGINT")) {
          v = keyspace > 0 ? int(rand() * keyspace) : n * rows + i;
        } else if (t[c] == "INT" || t[c] == "BIGINT") { v = int(rand() * 1000000);
        } else if (t[c] == "DOUBLE") { v = sprintf("%.3f", rand() * 1000);
        } else if (t[c] == "DATE") { v = sprintf("2024-%02d-%02d", 1 + int(rand() * 12), 1 + int(rand() * 28));
        } else if (t[c] == "DATETIME") {
          s = n * 60 + i % 60; v = sprintf("2024-01-%02d %02d:%02d:%02d", 1 + int(s / 86400) % 28, int(s / 3600) % 24, int(s / 60) % 60, s % 60);
        } else { v = "v" int(rand() * 1000000); }
        line = line (c > 1 ? "\t" : "") v;
      }
      print line;
    }
  }' > "$tmp"
}

ok=0 failed=0 e235=0 n=0
summary() {
  echo "loads: $((ok + failed)) ok=$ok failed=$failed e235=$e235"
}
trap 'echo; summary; rm -f "$tmp"; exit $((failed > 0))' INT TERM

while [ "$count" -eq 0 ] || [ "$n" -lt "$count" ]; do
  body="$file"
  if [ -n "$rows" ]; then generate "$n"; body="$tmp"; fi
  label="$prefix-$n"
  call PUT "/api/$db/$table/_stream_load" -H "label: $label" -H "format: $format" -H "column_separator: $sep" \
    -H "Expect:" --data-binary "@$body"
  status="$(json_str Status)"
  if [ "$HTTP_CODE" = 200 ] && [ "$status" = Success ]; then
    ok=$((ok + 1))
    echo "#$n $label Success rows=$(json_str NumberLoadedRows) time=$(json_str LoadTimeMs)ms"
  else
    failed=$((failed + 1))
    msg="$(json_str Message)"; [ -n "$msg" ] || msg="$(json_str msg)"
    case "$msg" in *E-235*|*"exceed limit"*) e235=$((e235 + 1)) ;; esac
    echo "#$n $label ${status:-HTTP $HTTP_CODE} $msg"
  fi
  n=$((n + 1))
  if [ "$count" -eq 0 ] || [ "$n" -lt "$count" ]; then sleep "$interval"; fi
done
summary
[ "$failed" -eq 0 ]
