#!/usr/bin/env bash
# Schemathesis against the served app: a fresh seeded SQLite database (with the demo accounts),
# the committed OpenAPI document, once as an administrator and once as a constituent
# (government, Zimbabwe). Every default check runs; tools/schemathesis/schemathesis.toml holds
# the one adjustment (expected statuses) and its reasons. Exits non-zero on any finding.
#
#   tools/schemathesis/run.sh [path/to/normtrack]
#
# Environment: SCHEMATHESIS_EXAMPLES (per operation, default 25), SCHEMATHESIS_SEED (default
# fixed, so a CI failure reproduces), SCHEMATHESIS_VENV (default target/schemathesis-venv).
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${1:-target/debug/normtrack}
VENV=${SCHEMATHESIS_VENV:-target/schemathesis-venv}
VERSION=4.32.5
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-25}
SEED=${SCHEMATHESIS_SEED:-20261123}
OUT=target/schemathesis
mkdir -p "$OUT"

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; then
    echo "installing schemathesis $VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

export DATABASE_URL="$WORK/schemathesis.db"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" seed --demo > "$WORK/accounts.txt"
NORMTRACK_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" serve > "$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.1
done

token_of() { # role, e-mail prefix
    local email password
    email=$(awk -v r="$1" -v p="$2" '$1==r && index($2,p)==1 {print $2; exit}' "$WORK/accounts.txt")
    password=$(awk -v e="$email" '$2==e {print $3; exit}' "$WORK/accounts.txt")
    curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"$password\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

status=0
rm -rf "$OUT/admin" "$OUT/government"
# The government first: the administrator's run resets and deactivates accounts, which ends
# their sessions (issue 13).
for who in "government government.zwe@" "admin admin@"; do
    set -- $who
    token=$(token_of "$1" "$2")
    echo "==> schemathesis as $1 ($2…), $EXAMPLES examples per operation, seed $SEED"
    # One worker: CPython 3.11's ast.parse fails spuriously ("AST constructor recursion depth
    # mismatch") when Hypothesis describes strategies from several threads at once.
    if ! "$VENV/bin/schemathesis" --config-file tools/schemathesis/schemathesis.toml \
        run openapi/openapi.json --url "http://127.0.0.1:$PORT" \
        -H "Authorization: Bearer $token" \
        --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 \
        --report junit,ndjson --report-dir "$OUT/$1" > "$OUT/$1.txt" 2>&1; then
        status=1
        echo "schemathesis as $1 found problems:"
        cat "$OUT/$1.txt"
    else
        tail -n 12 "$OUT/$1.txt"
    fi
done
if grep -q "panicked" "$OUT/server.log"; then
    echo "the server panicked during the run (see $OUT/server.log)"
    status=1
fi
exit $status
