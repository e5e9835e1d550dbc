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
HEALTH_TIMEOUT_SECS=60

log() { echo "run-http: $*" >&2; }

WORKDIR=""
SERVER_PID=""
PG_DB=""

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        log "stopping server (pid $SERVER_PID)"
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            log "server did not exit after SIGTERM; sending SIGKILL"
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ $status -ne 0 && -n "$WORKDIR" && -s "$WORKDIR/server.log" ]]; then
        log "last lines of the server log:"
        tail -n 40 "$WORKDIR/server.log" >&2 || true
    fi
    if [[ -n "$PG_DB" ]]; then
        log "dropping database $PG_DB"
        psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >&2 ||
            log "warning: could not drop database $PG_DB"
    fi
    if [[ -n "$WORKDIR" ]]; then
        rm -rf "$WORKDIR"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "run-http: something is already listening on 127.0.0.1:$PORT; set PORT=..." >&2
    exit 1
fi

log "building (release) in $CARGO_TARGET_DIR"
(cd "$ROOT" && cargo build --release -p support-chat -p support-chat-bench >&2)
SERVER_BIN="$CARGO_TARGET_DIR/release/support-chat"
BENCH_BIN="$CARGO_TARGET_DIR/release/support-chat-bench"

WORKDIR="$(mktemp -d "${TMPDIR:-/tmp}/support-chat-bench.XXXXXX")"

if [[ "$BACKEND" == postgres ]]; then
    PG_DB="support_chat_bench_$(date +%s)_$$"
    log "creating database $PG_DB"
    psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$PG_DB\"" >&2
    DATABASE_URL="$PG_URL/$PG_DB"
else
    DATABASE_URL="sqlite://$WORKDIR/bench.db"
fi

log "starting server on $BASE_URL ($BACKEND)"
SUPPORT_CHAT_MESSAGE_RATE_PER_MINUTE=100000000 SUPPORT_CHAT_MESSAGE_BURST=100000 SUPPORT_CHAT_LOGIN_RATE_PER_MINUTE=100000 \
    "$SERVER_BIN" serve \
    --bind "127.0.0.1:$PORT" \
    --data-dir "$WORKDIR" \
    --database-url "$DATABASE_URL" \
    >"$WORKDIR/server.log" 2>&1 &
SERVER_PID=$!

deadline=$((SECONDS + HEALTH_TIMEOUT_SECS))
until curl -fsS --max-time 2 -o /dev/null "$BASE_URL/healthz" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        log "server exited before becoming healthy"
        exit 1
    fi
    if ((SECONDS >= deadline)); then
        log "server not healthy after ${HEALTH_TIMEOUT_SECS}s"
        exit 1
    fi
    sleep 0.2
done

rss_after_start="$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")"
log "server healthy (pid $SERVER_PID), RSS right after start: ${rss_after_start} kB"
printf '{"backend":"%s","serverPid":%s,"serverRssAfterStartKb":%s}\n' \
    "$BACKEND" "$SERVER_PID" "${rss_after_start:-null}"

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
