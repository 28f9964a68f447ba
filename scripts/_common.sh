# Shared helpers of the operator scripts (sourced, not run). Bash + curl only.
# The node: COMPACTOR=http://host:port (default http://127.0.0.1:8040), overridden by -H HOST / -P PORT.
# HTTP basic auth: COMPACTOR_AUTH=user:password, or -u user:password.

COMPACTOR="${COMPACTOR:-http://127.0.0.1:8040}"
COMPACTOR_AUTH="${COMPACTOR_AUTH:-}"
_host_override=""
_port_override=""

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
usage_error() { echo "$(basename "$0"): $*" >&2; echo "run '$(basename "$0") -h' for usage" >&2; exit 2; }

# Handles the connection flags shared by every script; returns 1 for a flag it does not know.
common_flag() {
  case "$1" in
    H) _host_override="$2" ;;
    P) [[ "$2" =~ ^[0-9]+$ ]] || usage_error "-P: port must be a number, got '$2'"; _port_override="$2" ;;
    u) COMPACTOR_AUTH="$2" ;;
    *) return 1 ;;
  esac
}

# The base URL after -H/-P overrides.
base_url() {
  local hp="${COMPACTOR#http://}"
  hp="${hp%%/*}"
  local host="${hp%:*}" port="${hp##*:}"
  [ "$host" = "$hp" ] && port=8040
  echo "http://${_host_override:-$host}:${_port_override:-$port}"
}

# call METHOD PATH [curl args...]: sets HTTP_CODE and BODY. Connection errors end the script.
call() {
  local method="$1" path="$2"; shift 2
  local auth=()
  [ -n "$COMPACTOR_AUTH" ] && auth=(-u "$COMPACTOR_AUTH")
  local out
  if ! out="$(curl -sS -X "$method" "${auth[@]}" -w $'\n%{http_code}' "$@" "$(base_url)$path" 2>&1)"; then
    die "$method $(base_url)$path failed: ${out##*$'\n'}"
  fi
  HTTP_CODE="${out##*$'\n'}"
  BODY="${out%$'\n'*}"
}

# json_str FIELD: the string or scalar value of FIELD in BODY (first occurrence), empty if absent.
json_str() {
  local flat
  flat="$(printf '%s' "$BODY" | tr -d '\n')"
  printf '%s' "$flat" | sed -n 's/^[^"]*\(.*\)$/\1/; s/.*"'"$1"'" *: *\("\([^"]*\)"\|\([-0-9.a-z]*\)\).*/\2\3/p' | head -1
}

# json_ids FIELD: every numeric (or numeric-string) value of FIELD in BODY, one per line.
json_ids() {
  printf '%s' "$BODY" | grep -o '"'"$1"'" *: *"\{0,1\}[0-9]*' | grep -o '[0-9]*$' || true
}

# tablets_of_table TABLE_ID: the table's tablet ids, one per line (from GET /api/tables).
tablets_of_table() {
  call GET /api/tables
  [ "$HTTP_CODE" = 200 ] || die "GET /api/tables answered HTTP $HTTP_CODE: $BODY"
  printf '%s' "$BODY" | tr -d '\n' \
    | sed -n 's/.*"table_id" *: *'"$1"' *,[^]]*"tablets" *: *\[\([^]]*\)\].*/\1/p' | tr -c '0-9\n' ' ' | xargs -n1 || true
}
