#!/usr/bin/env bash
# HTTP benchmark on the seed: serves the release build on SQLite and on PostgreSQL and drives
# it with wrk (Debian's `wrk`, installed when missing): requests per second and p50/p99 latency
# for /healthz, one ratification by key, a 50-row filtered list, a country's view, an office
# user's deadlines and the dashboard summary, each also as a ratio to /healthz in the same run,
# and the server's peak memory (VmHWM) with its caches full.
#
#   bash tools/bench_http.sh            # both engines, 64 connections, 10 s per endpoint
#   CONNECTIONS=16 DURATION=5 ENGINES=sqlite bash tools/bench_http.sh
#
# tools/bench_scale.sh measures the same reads at the full matrix and a million audit entries.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/bench_lib.sh

bench_engine() {
    local engine="$1"
    prepare_database "$engine"
    start_server
    local admin office
    admin="$(login "$ADMIN_EMAIL")"
    office="$(login "$OFFICE_EMAIL")"
    printf '\n%s, %s threads, %ss each\n' "$engine" "$THREADS" "$DURATION"
    measure_table "$CONNECTIONS" \
        "GET /healthz|/healthz|$admin" \
        "GET /api/v1/ratifications/ZWE/C087|/api/v1/ratifications/ZWE/C087|$admin" \
        "GET /api/v1/ratifications?region=africa&status=ratified|/api/v1/ratifications?region=africa&status=ratified|$admin" \
        "GET /api/v1/countries/ZWE|/api/v1/countries/ZWE|$admin" \
        "GET /api/v1/deadlines (office user)|/api/v1/deadlines|$office" \
        "GET /api/v1/dashboard/summary|/api/v1/dashboard/summary|$admin"
    printf 'server peak memory (VmHWM): %s\n' "$(peak_memory)"
    stop_server
}

echo "normtrack HTTP benchmark on $(nproc) cores, $(date -u +%Y-%m-%d)"
for engine in $ENGINES; do
    bench_engine "$engine"
done
