#!/usr/bin/env bash
# Triggers a compaction on a Compactor node, as Doris BE's POST /api/compaction/run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

usage() {
  cat <<USAGE
usage: $(basename "$0") (-t TABLET_ID | -T TABLE_ID) [-c base|cumulative|full] [-H HOST] [-P PORT] [-u USER:PASS]

Triggers a compaction through POST /api/compaction/run and prints the node's JSON answer.
  -t ID    one tablet
  -T ID    every tablet of a table (Doris always runs a FULL compaction then)
  -c TYPE  base, cumulative or full (default full)
  -H, -P   node host and port (default from COMPACTOR=$COMPACTOR)
  -u       basic auth user:password (or COMPACTOR_AUTH)
Exit status: 0 when the node answered Success or ALREADY_EXIST, 1 otherwise.
The Doris data-recovery doc's command works the same against the node, e.g.
  curl -X POST "http://127.0.0.1:8040/api/compaction/run?tablet_id=10001&compact_type=full"
USAGE
}

tablet="" table="" type="full"
while getopts ":t:T:c:H:P:u:h" opt; do
  case "$opt" in
    t) tablet="$OPTARG" ;;
    T) table="$OPTARG" ;;
    c) type="$OPTARG" ;;
    h) usage; exit 0 ;;
    :) usage_error "-$OPTARG needs a value" ;;
    \?) usage_error "unknown option -$OPTARG" ;;
    *) common_flag "$opt" "$OPTARG" || usage_error "unknown option -$opt" ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage_error "unexpected argument '$1'"
[ -n "$tablet$table" ] || usage_error "give -t TABLET_ID or -T TABLE_ID"
[ -z "$tablet" ] || [ -z "$table" ] || usage_error "give -t or -T, not both"
case "$type" in base|cumulative|full) ;; *) usage_error "-c: expected base, cumulative or full, got '$type'" ;; esac

if [ -n "$tablet" ]; then query="tablet_id=$tablet"; else query="table_id=$table"; fi
call POST "/api/compaction/run?$query&compact_type=$type"
echo "$BODY"
status="$(json_str status)"
case "$status" in
  Success) exit 0 ;;
  ALREADY_EXIST) echo "$(basename "$0"): already submitted; counted as success (as Doris's test helper does)" >&2; exit 0 ;;
  *) exit 1 ;;
esac
