#!/usr/bin/env bash
# HTTP benchmark: serves the seeded app (release build) on SQLite and on PostgreSQL and drives
# it with wrk (Debian's `wrk`, installed when missing): requests per second and p50/p99 latency
# for /healthz, one ratification by key, a filtered list and the dashboard summary, each also
# as a ratio to /healthz in the same run, and the server's peak memory (VmHWM).
#
#   bash tools/bench_http.sh            # both engines, 64 connections, 10 s per endpoint
#   CONNECTIONS=16 DURATION=5 ENGINES=sqlite bash tools/bench_http.sh
#
# Only loopback traffic; every run is bounded by DURATION.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10}"
THREADS="${THREADS:-2}"
ENGINES="${ENGINES:-sqlite postgres}"
PORT="${PORT:-18181}"
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"

if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
echo "building the release binary..." >&2
cargo build --release --quiet
BIN="$PWD/target/release/normtrack"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

ADMIN_EMAIL="bench-admin@example.org"
ADMIN_PASSWORD="bench-password-$RANDOM-$RANDOM"

# Prints "rps p50_ms p99_ms" for one endpoint, after a 2-second warm-up that is not measured.
measure() {
    local url="$1" token="$2" out
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -H "Authorization: Bearer $token" "$url" >/dev/null
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "$url")"
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

bench_engine() {
    local engine="$1" url
    case "$engine" in
        sqlite) url="$WORK/bench.db" ;;
        postgres)
            local db="normtrack_bench_$$"
            url="${PG_ADMIN%/*}/$db"
            psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
            ;;
    esac
    export DATABASE_URL="$url" NORMTRACK_BIND="127.0.0.1:$PORT" RUST_LOG="${RUST_LOG:-info}"
    "$BIN" migrate >/dev/null
    "$BIN" seed >/dev/null
    echo "$ADMIN_PASSWORD" | "$BIN" users create --email "$ADMIN_EMAIL" --role admin >/dev/null
    "$BIN" serve >"$WORK/server-$engine.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    local base="http://127.0.0.1:$PORT"
    local person viewer
    person="$(curl -fs -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')"
    viewer="$(curl -fs -X POST "$base/api/v1/tokens" -H 'content-type: application/json' \
        -H "Authorization: Bearer $person" -d '{"name":"benchmark","expires_in_days":1}' \
        | sed 's/.*"access_token":"\([^"]*\)".*/\1/')"

    local -a names=("GET /healthz" "GET /api/v1/ratifications/ZWE/C087" "GET /api/v1/ratifications?region=africa&status=ratified" "GET /api/v1/dashboard/summary")
    local -a paths=("/healthz" "/api/v1/ratifications/ZWE/C087" "/api/v1/ratifications?region=africa&status=ratified" "/api/v1/dashboard/summary")
    local base_rps=""
    printf '\n%s, %s connections, %s threads, %ss each\n' "$engine" "$CONNECTIONS" "$THREADS" "$DURATION"
    printf '%-58s %10s %8s %9s %9s\n' "endpoint" "req/s" "ratio" "p50 ms" "p99 ms"
    for i in "${!paths[@]}"; do
        read -r rps p50 p99 <<<"$(measure "$base${paths[$i]}" "$viewer")"
        [ -z "$base_rps" ] && base_rps="$rps"
        ratio="$(awk -v a="$rps" -v b="$base_rps" 'BEGIN {printf "%.2f", a / b}')"
        printf '%-58s %10s %8s %9s %9s\n' "${names[$i]}" "$rps" "$ratio" "$p50" "$p99"
    done
    local peak
    peak="$(awk '/VmHWM/ {print $2, $3}' "/proc/$SERVER_PID/status")"
    printf 'server peak memory (VmHWM): %s\n' "$peak"
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    if [ "$engine" = postgres ]; then
        psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS normtrack_bench_$$" >/dev/null
    fi
}

echo "normtrack HTTP benchmark on $(nproc) cores, $(date -u +%Y-%m-%d)"
for engine in $ENGINES; do
    bench_engine "$engine"
done
