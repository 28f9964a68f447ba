#!/usr/bin/env bash
# Triggers a compaction and waits for it to finish, as Doris's regression helper
# trigger_and_wait_compaction (regression-test/plugins/plugin_compaction.groovy) does.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

usage() {
  cat <<USAGE
usage: $(basename "$0") (-t TABLET_ID[,ID...] | -T TABLE_ID) [-c base|cumulative|full] [-w SECONDS]
                        [-n] [-q] [-H HOST] [-P PORT] [-u USER:PASS]

For each tablet: remember "last <type> success time" (GET /api/compaction/show), POST
/api/compaction/run, then poll GET /api/compaction/run_status until run_status is false AND the
success time changed. With -T the table's tablets get one FULL compaction (Doris ignores the type).
  -t IDS   tablet ids, comma-separated
  -T ID    a table id (all its tablets, full compaction)
  -c TYPE  base, cumulative or full (default cumulative; full with -T)
  -w SEC   give up after SEC seconds (default 300): exit 1
  -n       a "no suitable version" answer (E-2000, E-808, E-2008) means nothing to do for that tablet
           (Doris's helper ignores E-2000 when auto compaction is disabled); without -n it is an error
  -q       quiet: no progress dots
  -H, -P   node host and port (default from COMPACTOR=$COMPACTOR); -u basic auth user:password
USAGE
}

tablets="" table="" type="" timeout=300 no_suitable_ok=0 quiet=0
while getopts ":t:T:c:w:nqH:P:u:h" opt; do
  case "$opt" in
    t) tablets="$OPTARG" ;;
    T) table="$OPTARG" ;;
    c) type="$OPTARG" ;;
    w) [[ "$OPTARG" =~ ^[0-9]+$ ]] || usage_error "-w: expected seconds, got '$OPTARG'"; timeout="$OPTARG" ;;
    n) no_suitable_ok=1 ;;
    q) quiet=1 ;;
    h) usage; exit 0 ;;
    :) usage_error "-$OPTARG needs a value" ;;
    \?) usage_error "unknown option -$OPTARG" ;;
    *) common_flag "$opt" "$OPTARG" || usage_error "unknown option -$opt" ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage_error "unexpected argument '$1'"
[ -n "$tablets$table" ] || usage_error "give -t TABLET_IDS or -T TABLE_ID"
[ -z "$tablets" ] || [ -z "$table" ] || usage_error "give -t or -T, not both"
[ -n "$type" ] || { [ -n "$table" ] && type=full || type=cumulative; }
case "$type" in base|cumulative|full) ;; *) usage_error "-c: expected base, cumulative or full, got '$type'" ;; esac
[ -z "$table" ] || [ "$type" = full ] || echo "$(basename "$0"): note: with -T the node runs a FULL compaction" >&2
[ -z "$table" ] || type=full

if [ -n "$table" ]; then
  mapfile -t ids < <(tablets_of_table "$table")
  [ "${#ids[@]}" -gt 0 ] || die "table_id $table not found (or has no tablets) in GET /api/tables"
else
  IFS=',' read -r -a ids <<< "$tablets"
  for id in "${ids[@]}"; do [[ "$id" =~ ^[0-9]+$ ]] || usage_error "-t: '$id' is not a tablet id"; done
fi

# show TABLET: loads GET /api/compaction/show into BODY.
show() {
  call GET "/api/compaction/show?tablet_id=$1"
  [ "$HTTP_CODE" = 200 ] || die "GET /api/compaction/show?tablet_id=$1 answered HTTP $HTTP_CODE"
  local st; st="$(json_str status)"
  [ -z "$st" ] || die "GET /api/compaction/show?tablet_id=$1: $st $(json_str msg)"
}

# Returns 0 when the answer means "submitted", 2 for "no suitable version" accepted by -n.
check_run_answer() {
  local what="$1" st msg
  st="$(json_str status)"; msg="$(json_str msg)"
  case "$st" in
    Success) return 0 ;;
    ALREADY_EXIST) echo "$what: already submitted (counted as success)"; return 0 ;;
    E-2000|E-808|E-2008)
      if [ "$no_suitable_ok" = 1 ]; then echo "$what: $st $msg (nothing to compact)"; return 2; fi
      die "$what: $st $msg (use -n to treat 'no suitable version' as nothing to do)" ;;
    *) die "$what: ${st:-HTTP $HTTP_CODE} ${msg:-$BODY}" ;;
  esac
}

declare -A before failed_before
for id in "${ids[@]}"; do
  show "$id"
  before[$id]="$(json_str "last $type success time")"
  failed_before[$id]="$(json_str "last $type failure time")"
done

pending=()
if [ -n "$table" ]; then
  call POST "/api/compaction/run?table_id=$table&compact_type=full"
  check_run_answer "table $table" && pending=("${ids[@]}")
else
  for id in "${ids[@]}"; do
    rc=0
    call POST "/api/compaction/run?tablet_id=$id&compact_type=$type"
    check_run_answer "tablet $id" || rc=$?
    [ "$rc" = 0 ] && pending+=("$id")
  done
fi
[ "${#pending[@]}" -gt 0 ] || { echo "nothing to wait for"; exit 0; }

echo "triggered $type compaction on ${#pending[@]} tablet(s); waiting up to ${timeout}s"
start=$SECONDS
while [ "${#pending[@]}" -gt 0 ]; do
  still=()
  for id in "${pending[@]}"; do
    call GET "/api/compaction/run_status?tablet_id=$id"
    [ "$HTTP_CODE" = 200 ] || die "GET /api/compaction/run_status?tablet_id=$id answered HTTP $HTTP_CODE"
    running="$(json_str run_status)"
    [ "$running" = true ] || [ "$running" = false ] || die "run_status of tablet $id: $(json_str status) $(json_str msg)"
    if [ "$running" = true ]; then still+=("$id"); continue; fi
    show "$id"
    now="$(json_str "last $type success time")"
    failed="$(json_str "last $type failure time")"
    if [ "$now" != "${before[$id]}" ]; then
      echo "tablet $id: $type compaction done (last $type success time $now)"
    elif [ "$failed" != "${failed_before[$id]}" ]; then
      # Doris's helper would wait until its timeout; a failure recorded after the trigger is final
      last="$(json_str "last $type status")"
      case "$last" in
        *E-2000*|*E-808*|*E-2008*)
          [ "$no_suitable_ok" = 1 ] || die "tablet $id: $type compaction failed: $last (use -n to accept)"
          echo "tablet $id: $last (nothing to compact)" ;;
        *) die "tablet $id: $type compaction failed: $last" ;;
      esac
    else
      still+=("$id")
    fi
  done
  pending=("${still[@]+"${still[@]}"}")
  [ "${#pending[@]}" -gt 0 ] || break
  if [ $((SECONDS - start)) -ge "$timeout" ]; then
    for id in "${pending[@]}"; do
      call GET "/api/compaction/show?tablet_id=$id"
      echo "tablet $id: not done; last $type status: $(json_str "last $type status")" >&2
    done
    die "timed out after ${timeout}s waiting for ${#pending[@]} tablet(s)"
  fi
  [ "$quiet" = 1 ] || printf '.' >&2
  sleep 1
done
[ "$quiet" = 1 ] || [ $((SECONDS - start)) -lt 1 ] || echo >&2
echo "all done in $((SECONDS - start))s"
