#!/usr/bin/env bash
# A live "top" of compaction on a Compactor node: what runs, what waits, the highest-scored tablets.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

usage() {
  cat <<USAGE
usage: $(basename "$0") [-n TOP] [-i SECONDS] [-1] [-H HOST] [-P PORT] [-u USER:PASS]

Refreshes every SECONDS: running and queued compactions by kind and finished ones (GET /metrics),
then the TOP tablets by compaction score (GET /api/compaction_score) with their rowset count,
cumulative point and running compaction (GET /api/compaction/show, /api/compaction/run_status).
  -n TOP      tablets to show (default 10)
  -i SECONDS  refresh period (default 2)
  -1          print once and exit (for scripts and logs)
  -H, -P      node host and port (default from COMPACTOR=$COMPACTOR); -u basic auth user:password
Ctrl-C quits.
USAGE
}

top=10 interval=2 once=0
while getopts ":n:i:1H:P:u:h" opt; do
  case "$opt" in
    n) [[ "$OPTARG" =~ ^[1-9][0-9]*$ ]] || usage_error "-n: expected a positive count, got '$OPTARG'"; top="$OPTARG" ;;
    i) [[ "$OPTARG" =~ ^[0-9]+([.][0-9]+)?$ ]] || usage_error "-i: expected seconds, got '$OPTARG'"; interval="$OPTARG" ;;
    1) once=1 ;;
    h) usage; exit 0 ;;
    :) usage_error "-$OPTARG needs a value" ;;
    \?) usage_error "unknown option -$OPTARG" ;;
    *) common_flag "$opt" "$OPTARG" || usage_error "unknown option -$opt" ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage_error "unexpected argument '$1'"

# metric NAME [VALUE [LABEL]]: the sample NAME{LABEL="VALUE"} (LABEL defaults to type) from the last
# /metrics answer, 0 when absent.
metric() {
  local sel="$1"
  [ $# -lt 2 ] || sel="$1{${3:-type}=\"$2\"}"
  printf '%s\n' "$METRICS" | awk -v s="$sel" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }' | head -1
}

frame() {
  call GET /metrics
  [ "$HTTP_CODE" = 200 ] || die "GET /metrics answered HTTP $HTTP_CODE"
  METRICS="$BODY"
  printf 'compactor top  %s  %s\n' "$(base_url)" "$(date '+%H:%M:%S')"
  printf 'running   cumulative %s  base %s  full %s  segment %s   permits %s\n' \
    "$(metric compactor_compaction_running cumulative)" "$(metric compactor_compaction_running base)" \
    "$(metric compactor_compaction_running full)" "$(metric compactor_compaction_running segment)" \
    "$(metric compactor_compaction_used_permits)"
  printf 'queued    cumulative %s  base %s  full %s\n' "$(metric compactor_compaction_queued cumulative)" \
    "$(metric compactor_compaction_queued base)" "$(metric compactor_compaction_queued full)"
  printf 'finished  cumulative %s  base %s  full %s  (failed %s)   segcompactions %s\n' \
    "$(metric compactor_compaction_success_total cumulative)" "$(metric compactor_compaction_success_total base)" \
    "$(metric compactor_compaction_success_total full)" \
    "$(( $(metric compactor_compaction_failed_total cumulative) + $(metric compactor_compaction_failed_total base) + $(metric compactor_compaction_failed_total full) ))" \
    "$(metric compactor_segcompaction_total)"
  printf 'tablets   %s   max versions %s   max cumulative score %s   loads ok %s fail %s (E-235 %s)\n\n' \
    "$(metric compactor_tablet_num)" "$(metric compactor_tablet_max_versions)" \
    "$(metric compactor_tablet_cumulative_max_compaction_score)" "$(metric compactor_load_total success status)" \
    "$(metric compactor_load_total fail status)" "$(metric compactor_exceed_version_limit_total)"
  call GET "/api/compaction_score?top_n=$top"
  [ "$HTTP_CODE" = 200 ] || die "GET /api/compaction_score answered HTTP $HTTP_CODE: $BODY"
  local scores ids
  scores="$(json_ids compaction_score)"
  ids="$(json_ids tablet_id)"
  printf '%-12s %7s %8s %10s  %s\n' TABLET SCORE ROWSETS CUMU_POINT RUNNING
  paste <(printf '%s\n' "$ids") <(printf '%s\n' "$scores") | while read -r id score; do
    [ -n "$id" ] || continue
    call GET "/api/compaction/show?tablet_id=$id"
    local rowsets point running
    rowsets="$(printf '%s' "$BODY" | tr -d '\n' | sed 's/.*"rowsets" *: *\[//; s/"missing_rowsets".*//' | grep -o '"\[[0-9]*-[0-9]*\] ' | wc -l)"
    point="$(json_str "cumulative point")"
    call GET "/api/compaction/run_status?tablet_id=$id"
    running="$(json_str compact_type)"
    printf '%-12s %7s %8s %10s  %s\n' "$id" "$score" "$rowsets" "$point" "${running:--}"
  done
}

if [ "$once" = 1 ]; then frame; exit 0; fi
trap 'echo; exit 0' INT TERM
while true; do
  out="$(frame)"
  if [ -t 1 ]; then printf '\033[H\033[2J%s\n' "$out"; else printf '%s\n---\n' "$out"; fi
  sleep "$interval"
done
