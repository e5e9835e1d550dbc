#!/usr/bin/env bash
# Builds the web app and starts support-chat on the embedded SQLite database (./data).
# Any arguments go to `support-chat serve`, e.g. scripts/run.sh --bind 0.0.0.0:8080
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo >/dev/null || { echo "run.sh: Rust (cargo) is required: https://rustup.rs" >&2; exit 1; }
command -v npm >/dev/null || { echo "run.sh: Node.js 20+ with npm is required" >&2; exit 1; }

echo "==> building the web app (web/dist)"
(cd web && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run build --silent)

echo "==> building and starting the server (release)"
exec cargo run --release --locked -p support-chat -- serve "$@"
