#!/usr/bin/env bash
# HTTP load benchmark for support-chat on loopback.
#
# Usage: bench/run-http.sh [sqlite|postgres]
#
# Builds the server and the bench in release mode, starts a throwaway server on
# 127.0.0.1, runs three open-loop scenarios (send 5000/s, list 2000/s, mixed 2000/s)
# and prints one JSON object per run on stdout (progress goes to stderr).
#
# Environment overrides:
#   PORT         server port on 127.0.0.1            (default 18080)
#   DURATION     measured seconds per scenario        (default 20)
#   WARMUP       warm-up seconds per scenario         (default 2)
#   USERS        bench users per scenario             (default 50)
#   PG_URL       PostgreSQL server (no database part) (default postgres://postgres@127.0.0.1:5432)
#   RESULTS_DIR  if set, also write each report to RESULTS_DIR/http-<backend>-<scenario>.json
#   SCENARIOS    space-separated scenario:rate list  (default "send:5000 list:2000 mixed:2000")
#   CARGO_TARGET_DIR                                  (default <repo>/target)
set -euo pipefail

BACKEND="${1:-sqlite}"
case "$BACKEND" in
sqlite | postgres) ;;
*)
    echo "usage: $0 [sqlite|postgres]" >&2
    exit 2
    ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PORT="${PORT:-18080}"
DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-2}"
USERS="${USERS:-50}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
PG_URL="${PG_URL%/}"
BASE_URL="http://127.0.0.1:$PORT"
BENCH_NAME=run-http
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    bench_cleanup "$status"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

refuse_busy_port
build_release
make_database support_chat_bench
start_server

if [[ -n "${RESULTS_DIR:-}" ]]; then
    mkdir -p "$RESULTS_DIR"
fi

run_scenario() {
    local scenario=$1 rate=$2
    local out_args=()
    if [[ -n "${RESULTS_DIR:-}" ]]; then
        out_args=(--out "$RESULTS_DIR/http-$BACKEND-$scenario.json")
    fi
    log "scenario $scenario at $rate/s for ${DURATION}s (+${WARMUP}s warm-up)"
    "$BENCH_BIN" http \
        --url "$BASE_URL" \
        --scenario "$scenario" \
        --rate "$rate" \
        --duration "$DURATION" \
        --warmup "$WARMUP" \
        --users "$USERS" \
        --server-pid "$SERVER_PID" \
        "${out_args[@]}"
}

for spec in ${SCENARIOS:-send:5000 list:2000 mixed:2000}; do
    run_scenario "${spec%%:*}" "${spec##*:}"
done

log "done"
