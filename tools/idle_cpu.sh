#!/usr/bin/env bash
# Idle CPU of `normtrack serve` (issue 14): starts the server on a fresh SQLite database (and on a
# fresh PostgreSQL database when one is reachable on 127.0.0.1:5432), lets it settle, then reads
# its CPU time (utime + stime in /proc/<pid>/stat) over IDLE_SECONDS (default 30) with no request
# at all, and prints the share of one core it used. A benchmark, not a test: it prints figures.
#
#   tools/idle_cpu.sh [path/to/normtrack]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/debug/normtrack}
IDLE=${IDLE_SECONDS:-30}
TICKS=$(getconf CLK_TCK)
WORK=$(mktemp -d)
PID=
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() { # engine, database URL
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    DATABASE_URL="$2" NORMTRACK_BIND="127.0.0.1:$port" RUST_LOG=warn "$BIN" serve > "$WORK/$1.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 300); do
        curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
        sleep 0.1
    done
    sleep 5
    local before after
    before=$(cpu_ticks "$PID")
    sleep "$IDLE"
    after=$(cpu_ticks "$PID")
    python3 -c "t=$after-$before; print(f'$1: idle serve used {t} ticks ({t/$TICKS:.2f} s of CPU) in $IDLE s: {100*t/$TICKS/$IDLE:.2f} % of one core')"
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
}

measure sqlite "$WORK/idle.db"
if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    name="normtrack_idle_$$"
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name" postgres
    measure postgres "postgres://postgres@127.0.0.1:5432/$name"
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $name" postgres
fi
