#!/usr/bin/env bash
# WebSocket load benchmark for support-chat on loopback.
#
# Usage: bench/run-ws.sh [sqlite|postgres]
#
# Builds the server and the bench in release mode, starts a throwaway server on 127.0.0.1
# (host-app SSO on, send and sign-in limits raised), then runs one `support-chat-bench ws`
# run split over PROCS processes: set-up, CONNECTIONS sockets opened at CONNECT_RATE/s in
# rooms of ROOM_SIZE, an optional idle hold of IDLE_SECS, then one measured step at RATE
# sends/s and one per rate in SATURATE. Prints the merged JSON report on stdout (progress
# goes to stderr) and cleans up.
#
# Environment overrides:
#   PORT          server port on 127.0.0.1                    (default 18081)
#   CONNECTIONS   sockets over all processes                   (default 10000)
#   PROCS         bench processes (each ≤ ~19000 sockets)      (default 2)
#   CONNECT_RATE  new sockets per second, all processes        (default 2000)
#   ROOM_SIZE     sockets per room: 1 user + admins            (default 5)
#   SOCKETS_PER_ADMIN  admin sockets per admin account         (default 1)
#   IDLE_SECS     idle hold after connecting                   (default 0)
#   RATE          sends per second, all processes              (default 1000)
#   SATURATE      extra comma-separated rates, one step each   (default "", e.g. "3000,6000")
#   DURATION      measured seconds per step                    (default 20)
#   WARMUP        warm-up seconds per step                     (default 2)
#   DRAIN         seconds to wait for late acks/deliveries     (default 5)
#   SOURCE_ADDRS  client source addresses 127.0.0.1..K         (default 8)
#   PG_URL        PostgreSQL server (no database part)         (default postgres://postgres@127.0.0.1:5432)
#   REDIS_URL     if set, passed to the server (real-time fan-out through Redis)
#   RESULTS_DIR   if set, also write ws-<backend>.json and the per-process reports there
#   CARGO_TARGET_DIR                                           (default <repo>/target)
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
PORT="${PORT:-18081}"
CONNECTIONS="${CONNECTIONS:-10000}"
PROCS="${PROCS:-2}"
CONNECT_RATE="${CONNECT_RATE:-2000}"
ROOM_SIZE="${ROOM_SIZE:-5}"
SOCKETS_PER_ADMIN="${SOCKETS_PER_ADMIN:-1}"
IDLE_SECS="${IDLE_SECS:-0}"
RATE="${RATE:-1000}"
SATURATE="${SATURATE:-}"
DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-2}"
DRAIN="${DRAIN:-5}"
SOURCE_ADDRS="${SOURCE_ADDRS:-8}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
PG_URL="${PG_URL%/}"
BASE_URL="http://127.0.0.1:$PORT"
BENCH_NAME=run-ws
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

if ! [[ "$CONNECTIONS" =~ ^[0-9]+$ && "$PROCS" =~ ^[0-9]+$ ]] || ((PROCS < 1 || CONNECTIONS < PROCS)); then
    echo "run-ws: CONNECTIONS and PROCS must be integers with 1 <= PROCS <= CONNECTIONS" >&2
    exit 2
fi

# Every socket is an open file, on both sides.
ulimit -n "$(ulimit -Hn)"
FILES="$(ulimit -n)"
PER_PROC=$(((CONNECTIONS + PROCS - 1) / PROCS))
if ((PER_PROC + 200 > FILES)); then
    echo "run-ws: $PER_PROC sockets per process exceed the open-file limit $FILES; raise PROCS" >&2
    exit 2
fi
if ((CONNECTIONS + 500 > FILES)); then
    echo "run-ws: the server would hold $CONNECTIONS sockets but may open only $FILES files" >&2
    exit 2
fi

BENCH_PIDS=()

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${BENCH_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${BENCH_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    bench_cleanup "$status"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

refuse_busy_port
build_release
make_database support_chat_bench_ws
mkdir -p "$WORKDIR/sync" "$WORKDIR/reports"

# Throwaway credentials for this server only.
random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
export SUPPORT_CHAT_ADMIN_EMAIL="bench-admin@example.test"
SUPPORT_CHAT_ADMIN_PASSWORD="bench-$(random_hex 16)"
SUPPORT_CHAT_SSO_SECRET="$(random_hex 32)"
export SUPPORT_CHAT_ADMIN_PASSWORD SUPPORT_CHAT_SSO_SECRET

if [[ -n "${REDIS_URL:-}" ]]; then
    log "server uses Redis at $REDIS_URL"
fi
start_server

# Scale a comma-separated list of rates by num/den (each process's share).
share() {
    awk -v list="$1" -v num="$2" -v den="$3" 'BEGIN {
        n = split(list, r, ","); out = "";
        for (i = 1; i <= n; i++) out = out (i > 1 ? "," : "") sprintf("%.3f", r[i] * num / den);
        print out }'
}

RATES="$RATE${SATURATE:+,$SATURATE}"
RUN_ID="$(random_hex 5)"
log "run $RUN_ID: $CONNECTIONS sockets over $PROCS processes, rates $RATES/s, idle ${IDLE_SECS}s"
for ((i = 0; i < PROCS; i++)); do
    conns=$((CONNECTIONS / PROCS + (i < CONNECTIONS % PROCS ? 1 : 0)))
    "$BENCH_BIN" ws \
        --url "$BASE_URL" \
        --connections "$conns" \
        --room-size "$ROOM_SIZE" \
        --sockets-per-admin "$SOCKETS_PER_ADMIN" \
        --connect-rate "$(share "$CONNECT_RATE" "$conns" "$CONNECTIONS")" \
        --source-addrs "$SOURCE_ADDRS" \
        --rate "$(share "$RATES" "$conns" "$CONNECTIONS")" \
        --duration "$DURATION" \
        --warmup "$WARMUP" \
        --drain "$DRAIN" \
        --idle-secs "$IDLE_SECS" \
        --run-id "$RUN_ID" \
        --procs "$PROCS" \
        --shard "$i" \
        --sync-dir "$WORKDIR/sync" \
        --server-pid "$SERVER_PID" \
        --histograms \
        --out "$WORKDIR/reports/ws-$i.json" \
        >/dev/null &
    BENCH_PIDS+=($!)
done

failed=0
for pid in "${BENCH_PIDS[@]}"; do
    wait "$pid" || failed=1
done
BENCH_PIDS=()
if ((failed)); then
    log "a bench process failed"
    exit 1
fi

MERGED="$WORKDIR/reports/merged.json"
"$BENCH_BIN" ws-merge "$WORKDIR"/reports/ws-*.json --out "$MERGED"
if [[ -n "${RESULTS_DIR:-}" ]]; then
    mkdir -p "$RESULTS_DIR"
    cp "$MERGED" "$RESULTS_DIR/ws-$BACKEND.json"
    for ((i = 0; i < PROCS; i++)); do
        cp "$WORKDIR/reports/ws-$i.json" "$RESULTS_DIR/ws-$BACKEND-proc$i.json"
    done
fi

log "done"
