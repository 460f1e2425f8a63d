# Shared by tools/bench_http.sh and tools/bench_scale.sh (sourced, not run): the release
# binary, a throwaway database per engine, a served instance, its callers' tokens and wrk runs.
# Only loopback traffic; every wrk run is bounded by DURATION.

# A failure inside $(...) stops the benchmark too, rather than printing a figure of nothing.
shopt -s inherit_errexit

CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10}"
THREADS="${THREADS:-2}"
ENGINES="${ENGINES:-sqlite postgres}"
PORT="${PORT:-18181}"
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
BASE="http://127.0.0.1:$PORT"

if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
echo "building the release binary..." >&2
cargo build --release --quiet
BIN="$PWD/target/release/normtrack"
WORK="$(mktemp -d)"
SERVER_PID=""
PG_DB="normtrack_bench_$$"
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

ADMIN_EMAIL="bench-admin@example.org"
OFFICE_EMAIL="bench-office@example.org"
PASSWORD="bench-password-$RANDOM-$RANDOM"

# A fresh, migrated and seeded database for the engine, with an administrator and an office
# account for Zimbabwe; exports DATABASE_URL (and DB_FILE on SQLite).
prepare_database() {
    local engine="$1"
    case "$engine" in
        sqlite)
            DB_FILE="$WORK/bench.db"
            rm -f "$DB_FILE" "$DB_FILE-wal" "$DB_FILE-shm"
            export DATABASE_URL="$DB_FILE"
            ;;
        postgres)
            psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" >/dev/null
            export DATABASE_URL="${PG_ADMIN%/*}/$PG_DB"
            ;;
        *) echo "unknown engine $engine" >&2; exit 2 ;;
    esac
    export NORMTRACK_BIND="127.0.0.1:$PORT" RUST_LOG="${RUST_LOG:-warn}"
    "$BIN" migrate >/dev/null
    "$BIN" seed >/dev/null
    echo "$PASSWORD" | "$BIN" users create --email "$ADMIN_EMAIL" --role admin >/dev/null
    echo "$PASSWORD" | "$BIN" users create --email "$OFFICE_EMAIL" --role office --country ZWE >/dev/null
}

start_server() {
    "$BIN" serve >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        curl -fs "$BASE/readyz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "the server did not become ready:" >&2
    cat "$WORK/server.log" >&2
    exit 1
}

stop_server() {
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# The server's peak resident memory so far.
peak_memory() {
    awk '/VmHWM/ {print $2, $3}' "/proc/$SERVER_PID/status"
}

# The same in MB, for a table's column: the peak up to and including the row's load.
peak_mb() {
    awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER_PID/status"
}

# An access token of the account (a password login).
login() {
    curl -fs -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" | sed 's/.*"access_token":"\([^"]*\)".*/\1/'
}

# wrk prints latencies as 812.00us, 1.23ms or 1.02s.
to_ms() {
    local v="$1"
    case "$v" in
        *us) awk -v x="${v%us}" 'BEGIN {printf "%.2f", x / 1000}' ;;
        *ms) awk -v x="${v%ms}" 'BEGIN {printf "%.2f", x}' ;;
        *s) awk -v x="${v%s}" 'BEGIN {printf "%.2f", x * 1000}' ;;
        *) echo "$v" ;;
    esac
}

# Prints "rps p50_ms p99_ms" for one URL at `connections`, after a 2-second warm-up that is
# not measured; any non-2xx answer stops the benchmark.
measure() {
    local url="$1" token="$2" connections="${3:-$CONNECTIONS}" out
    wrk -t"$THREADS" -c"$connections" -d2s -H "Authorization: Bearer $token" "$url" >/dev/null
    out="$(wrk -t"$THREADS" -c"$connections" -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "$url")"
    if echo "$out" | grep -q "Non-2xx"; then
        echo "non-2xx answers from $url:" >&2
        echo "$out" >&2
        exit 1
    fi
    local rps p50 p99
    rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
    p50="$(echo "$out" | awk '$1 == "50%" {print $2}')"
    p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
    echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}

# Measures each "name|path|token" line at `connections`, printing a table row per line with
# its ratio to the first line's req/s (run /healthz first).
measure_table() {
    local connections="$1"
    shift
    local base_rps="" line name path token rps p50 p99 ratio
    printf '%-62s %10s %7s %8s %8s %8s\n' "endpoint ($connections connections)" "req/s" "ratio" "p50 ms" "p99 ms" "peak MB"
    for line in "$@"; do
        IFS='|' read -r name path token <<<"$line"
        read -r rps p50 p99 <<<"$(measure "$BASE$path" "$token" "$connections")"
        [ -z "$base_rps" ] && base_rps="$rps"
        ratio="$(awk -v a="$rps" -v b="$base_rps" 'BEGIN {printf "%.2f", a / b}')"
        printf '%-62s %10s %7s %8s %8s %8s\n' "$name" "$rps" "$ratio" "$p50" "$p99" "$(peak_mb)"
    done
}
