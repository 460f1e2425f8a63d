#!/usr/bin/env bash
# Scale benchmark: the reads of tools/bench_http.sh with the full matrix loaded (200 generated
# instruments beside the seeded ones, each imported for all 187 member states: about 38,500
# records) and an audit log of a million entries, on SQLite and on PostgreSQL (release build).
# It prints:
#   - the full-matrix import's wall time, through `normtrack import ratifications`;
#   - req/s, ratio to /healthz, p50 and p99 at 16 and 64 connections for one record, the
#     filtered list, a country's view, an office user's deadlines, the summary, the audit
#     log's first page, a page half a million entries deep (by cursor) and the deepest page
#     by number (10,000 entries);
#   - the first answer after a write (the store epoch moved, every cache missed): median and
#     worst of 5 writes, for the summary, the list, a country's view and the audit page;
#   - the server's peak memory (VmHWM).
#
#   bash tools/bench_scale.sh
#   DURATION=5 ENGINES=sqlite AUDIT_ENTRIES=100000 bash tools/bench_scale.sh
#
# The million audit entries are written straight into the store (SQL, in one transaction):
# they stand for years of use, and the log's kept counts follow them through the same trigger
# as every write. Only loopback traffic; every wrk run is bounded by DURATION.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/bench_lib.sh

GENERATED="${GENERATED:-200}"
AUDIT_ENTRIES="${AUDIT_ENTRIES:-1000000}"

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
elapsed_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}'; }

add_instruments() {
    local token="$1" i code
    for i in $(seq 1 "$GENERATED"); do
        code="C$((1000 + i))"
        curl -fs -o /dev/null -X POST "$BASE/api/v1/conventions" -H "Authorization: Bearer $token" \
            -H 'content-type: application/json' \
            -d "{\"code\":\"$code\",\"instrument_type\":\"convention\",\"title\":\"Generated Benchmark Convention, 2000 (No. $((1000 + i)))\",\"category\":\"technical\",\"adopted_year\":2000,\"dates_source\":\"benchmark\"}"
    done
}

# Every generated instrument ratified by every member state, on varying days.
matrix_file() {
    local token="$1" file="$2"
    curl -fs "$BASE/api/v1/countries?per_page=500" -H "Authorization: Bearer $token" >"$WORK/countries.json"
    python3 - "$WORK/countries.json" "$GENERATED" >"$file" <<'PY'
import datetime, json, sys
countries = [c["iso3"] for c in json.load(open(sys.argv[1]))["items"]]
generated = int(sys.argv[2])
base = datetime.date(2002, 1, 1)
print("country,convention,status,registered_on,source,source_date")
for i in range(1, generated + 1):
    for j, country in enumerate(countries):
        day = base + datetime.timedelta(days=(i * 7 + j * 13) % 7000)
        print(f"{country},C{1000 + i},ratified,{day},benchmark file,2026-11")
PY
}

# A million entries of ratification changes, one second apart from 2000 on, over the countries.
fill_audit_log() {
    local engine="$1"
    case "$engine" in
        sqlite)
            python3 - "$DB_FILE" "$AUDIT_ENTRIES" <<'PY'
import datetime, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
countries = [r[0] for r in db.execute("SELECT iso3 FROM countries ORDER BY iso3")]
start = datetime.datetime(2000, 1, 1)
rows = ((
    # Whole seconds, written as the application writes them (no fraction when it is zero).
    (start + datetime.timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S"),
    "seed", "update", "ratification", f"{countries[i % len(countries)]}/C1001",
    countries[i % len(countries)], '{"status":"in_progress"}', '{"status":"ratified"}',
) for i in range(int(sys.argv[2])))
with db:
    db.executemany("INSERT INTO audit_log (at, actor, action, entity, entity_id, country, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
PY
            ;;
        postgres)
            psql -q "$DATABASE_URL" -c "
                WITH c AS (SELECT array_agg(iso3 ORDER BY iso3) AS codes, count(*) AS n FROM countries)
                INSERT INTO audit_log (at, actor, action, entity, entity_id, country, before_json, after_json)
                SELECT timestamp '2000-01-01' + i * interval '1 second', 'seed', 'update', 'ratification',
                       c.codes[1 + i % c.n] || '/C1001', c.codes[1 + i % c.n],
                       '{\"status\":\"in_progress\"}', '{\"status\":\"ratified\"}'
                FROM generate_series(0, $AUDIT_ENTRIES - 1) AS i, c" >/dev/null
            psql -q "$DATABASE_URL" -c "ANALYZE" >/dev/null
            ;;
    esac
}

# The cursor after the entry `depth` entries from the newest: "<page>.<microseconds>.<id>".
deep_cursor() {
    local engine="$1" depth="$2" at_id
    case "$engine" in
        sqlite)
            at_id="$(python3 - "$DB_FILE" "$depth" <<'PY'
import datetime, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
at, id = db.execute("SELECT at, id FROM audit_log ORDER BY at DESC, id DESC LIMIT 1 OFFSET ?", (int(sys.argv[2]) - 1,)).fetchone()
t = datetime.datetime.fromisoformat(at).replace(tzinfo=datetime.timezone.utc)
print(round(t.timestamp() * 1_000_000), id)
PY
)"
            ;;
        postgres)
            at_id="$(psql -At -F ' ' "$DATABASE_URL" -c "SELECT (extract(epoch FROM at) * 1000000)::bigint, id FROM audit_log ORDER BY at DESC, id DESC LIMIT 1 OFFSET $((depth - 1))")"
            ;;
    esac
    echo "$((depth / 50 + 1)).${at_id% *}.${at_id#* }"
}

# One write through the API: a note on ZWE/C1001 that changes each time.
write_once() {
    local token="$1" n="$2" tag
    tag="$(curl -fsI "$BASE/api/v1/ratifications/ZWE/C1001" -H "Authorization: Bearer $token" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')"
    curl -fs -o /dev/null -X PUT "$BASE/api/v1/ratifications/ZWE/C1001" -H "Authorization: Bearer $token" \
        -H "If-Match: $tag" -H 'content-type: application/json' \
        -d "{\"status\":\"ratified\",\"registered_on\":\"2002-01-08\",\"notes\":\"benchmark write $n\",\"source\":\"benchmark file\",\"source_date\":\"2026-11\"}"
}

# Median and worst time (ms) of the first answer to `path` after each of 5 writes.
first_after_write() {
    local token="$1" path="$2" times=() i t
    for i in 1 2 3 4 5; do
        write_once "$token" "$path $i"
        t="$(curl -fs -o /dev/null -w '%{time_total}' "$BASE$path" -H "Authorization: Bearer $token")"
        times+=("$(awk -v x="$t" 'BEGIN {printf "%.1f", x * 1000}')")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {printf "%s %s", a[3], a[5]}'
}

bench_engine() {
    local engine="$1" admin office started
    prepare_database "$engine"
    start_server
    admin="$(login "$ADMIN_EMAIL")"
    office="$(login "$OFFICE_EMAIL")"
    printf '\n%s, %s threads, %ss each\n' "$engine" "$THREADS" "$DURATION"

    add_instruments "$admin"
    matrix_file "$admin" "$WORK/matrix.csv"
    local rows
    rows="$(($(wc -l <"$WORK/matrix.csv") - 1))"
    started="$(date +%s.%N)"
    "$BIN" import ratifications "$WORK/matrix.csv" >/dev/null 2>&1
    printf 'full-matrix import (%s rows, %s generated instruments x all member states): %s s\n' \
        "$rows" "$GENERATED" "$(elapsed_since "$started")"
    started="$(date +%s.%N)"
    fill_audit_log "$engine"
    printf 'audit log filled with %s entries in %s s\n' "$AUDIT_ENTRIES" "$(elapsed_since "$started")"
    printf 'records: %s; audit entries: %s\n' \
        "$(curl -fs "$BASE/api/v1/ratifications?per_page=1" -H "Authorization: Bearer $admin" | json_field '["total"]')" \
        "$(curl -fs "$BASE/api/v1/audit?per_page=1" -H "Authorization: Bearer $admin" | json_field '["total"]')"

    # The cursor of a page half-way down the log (what following next_cursor would reach).
    local half=$((AUDIT_ENTRIES / 2)) cursor
    cursor="$(deep_cursor "$engine" "$half")"

    # A fresh server: its peak memory is that of this load.
    stop_server
    start_server
    local list="/api/v1/ratifications?region=africa&status=ratified"
    for connections in 16 64; do
        measure_table "$connections" \
            "GET /healthz|/healthz|$admin" \
            "GET /api/v1/ratifications/ZWE/C087|/api/v1/ratifications/ZWE/C087|$admin" \
            "GET $list|$list|$admin" \
            "GET /api/v1/countries/ZWE|/api/v1/countries/ZWE|$admin" \
            "GET /api/v1/deadlines (office user)|/api/v1/deadlines|$office" \
            "GET /api/v1/dashboard/summary|/api/v1/dashboard/summary|$admin" \
            "GET /api/v1/audit (first page)|/api/v1/audit|$admin" \
            "GET /api/v1/audit (office user, first page)|/api/v1/audit|$office" \
            "GET /api/v1/audit?cursor=… ($half deep)|/api/v1/audit?cursor=$cursor|$admin" \
            "GET /api/v1/audit?page=200 (deepest by number)|/api/v1/audit?page=200|$admin"
    done
    printf 'server peak memory (VmHWM): %s\n' "$(peak_memory)"

    printf '%-62s %10s %8s\n' "first answer after a write" "median ms" "worst ms"
    local path result
    for path in /api/v1/dashboard/summary "$list" /api/v1/countries/ZWE /api/v1/audit "/api/v1/audit?cursor=$cursor"; do
        result="$(first_after_write "$admin" "$path")"
        [ -n "$result" ] || { echo "no figure for $path" >&2; exit 1; }
        printf '%-62s %10s %8s\n' "GET ${path/$cursor/…}" ${result}
    done
    stop_server
}

echo "normtrack scale benchmark on $(nproc) cores, $(date -u +%Y-%m-%d)"
for engine in $ENGINES; do
    bench_engine "$engine"
done
