#!/usr/bin/env bash
# Shows a signed webhook delivery and a reminder digest as they are received (issue 17; the
# README quotes this script's output). Everything runs on loopback: normtrack on SQLite, an
# SMTP server (aiosmtpd from PyPI, installed into target/) and an HTTP receiver (Python's
# standard library). Usage: bash tools/notify_demo.sh  (BIN=target/release/normtrack to reuse
# a build).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${BIN:-}" ]; then
    cargo build --quiet
    BIN="$PWD/target/debug/normtrack"
fi
PYDEPS="$PWD/target/pydeps-aiosmtpd"
if [ ! -d "$PYDEPS/aiosmtpd" ]; then
    python3 -m pip install --quiet --root-user-action=ignore --disable-pip-version-check --target "$PYDEPS" aiosmtpd==1.4.6
fi
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
API_PORT=$(free_port); SMTP_PORT=$(free_port); HOOK_PORT=$(free_port)
mkdir -p "$WORK/mail"

PYTHONPATH="$PYDEPS" python3 - "$WORK/mail" "$SMTP_PORT" <<'PY' &
import os, sys, time
from aiosmtpd.controller import Controller
out, port = sys.argv[1], int(sys.argv[2])
class Keep:
    async def handle_DATA(self, server, session, envelope):
        with open(os.path.join(out, f"{time.time_ns()}.eml"), "wb") as f:
            f.write(envelope.original_content or envelope.content)
        return "250 OK"
Controller(Keep(), hostname="127.0.0.1", port=port).start()
while True:
    time.sleep(3600)
PY
PIDS+=($!)

python3 - "$WORK/hook.txt" "$HOOK_PORT" <<'PY' &
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
out, port = sys.argv[1], int(sys.argv[2])
class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(out, "a") as f:
            f.write(f"POST {self.path} HTTP/1.1\n")
            for name in ["content-type", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature"]:
                f.write(f"{name}: {self.headers[name]}\n")
            f.write("\n" + body.decode() + "\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
HTTPServer(("127.0.0.1", port), Hook).serve_forever()
PY
PIDS+=($!)

export DATABASE_URL="$WORK/normtrack.db" RUST_LOG=warn
export NORMTRACK_BIND="127.0.0.1:$API_PORT" NORMTRACK_PUBLIC_URL="https://normtrack.example.org"
export NORMTRACK_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" NORMTRACK_MAIL_FROM="normtrack <normtrack@example.org>"
export NORMTRACK_WEBHOOK_ALLOW_HTTP=true NORMTRACK_WEBHOOK_ALLOW_PRIVATE=true NORMTRACK_NOTIFY_INTERVAL=1
"$BIN" migrate >/dev/null
"$BIN" seed >/dev/null
echo "demo-password-$RANDOM" > "$WORK/password"
"$BIN" users create --email office@example.org --role office --country ZWE --display-name "Office Harare" < "$WORK/password" >/dev/null
"$BIN" serve >"$WORK/server.log" 2>&1 &
PIDS+=($!)
BASE="http://127.0.0.1:$API_PORT"
for _ in $(seq 1 300); do curl -fs "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

TOKEN=$(curl -fs "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"office@example.org\",\"password\":\"$(cat "$WORK/password")\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
AUTH=(-H "authorization: Bearer $TOKEN" -H 'content-type: application/json')

echo "== POST /api/v1/webhooks (the answer; the secret is shown this once)"
curl -fs "${AUTH[@]}" "$BASE/api/v1/webhooks" \
    -d "{\"url\":\"http://127.0.0.1:$HOOK_PORT/normtrack\",\"events\":[\"ratification.changed\"],\"countries\":[\"ZWE\"],\"description\":\"Harare office chat\"}" | python3 -m json.tool

# A change of Zimbabwe's C087 record: its notes (status and dates as they are).
python3 - "$BASE" "$TOKEN" <<'PY'
import json, sys, urllib.request
base, token = sys.argv[1], sys.argv[2]
url = f"{base}/api/v1/ratifications/ZWE/C087"
get = urllib.request.Request(url, headers={"authorization": f"Bearer {token}"})
with urllib.request.urlopen(get) as r:
    record, tag = json.load(r), r.headers["etag"]
body = {k: record[k] for k in ["status", "registered_on", "in_force_on", "source", "source_date"] if record.get(k) is not None}
body["notes"] = "Tripartite review of the law on trade union registration under way"
put = urllib.request.Request(url, method="PUT", data=json.dumps(body).encode(), headers={
    "authorization": f"Bearer {token}", "content-type": "application/json", "if-match": tag})
urllib.request.urlopen(put).read()
PY
DUE=$(date -u -d '+7 days' +%F)
curl -fs -o /dev/null "${AUTH[@]}" "$BASE/api/v1/report-requests" \
    -d "{\"kind\":\"article22_follow_up\",\"country\":\"ZWE\",\"conventions\":[\"C087\"],\"year\":$(date -u +%Y),\"due_on\":\"$DUE\",\"reason\":\"CEACR follow-up\"}"
for _ in $(seq 1 50); do [ -s "$WORK/hook.txt" ] && break; sleep 0.1; done
echo
echo "== the delivery as received"
cat "$WORK/hook.txt"
echo
echo "== normtrack notify run --once"
"$BIN" notify run --once
echo
echo "== the digest as received"
cat "$WORK"/mail/*.eml
