# Shared by bench/run-http.sh and bench/run-ws.sh: a throwaway support-chat server on
# 127.0.0.1 with the send and sign-in limits raised, its database, and its clean-up.
# The caller sets BENCH_NAME, ROOT, BACKEND, PORT, PG_URL and BASE_URL, and calls
# bench_cleanup from its EXIT trap.

HEALTH_TIMEOUT_SECS=60
WORKDIR=""
SERVER_PID=""
PG_DB=""

log() { echo "$BENCH_NAME: $*" >&2; }

# Stops the server (SIGTERM, then SIGKILL after 10 s), shows its log after a failure, drops the
# PostgreSQL database and removes the work directory. $1: the script's exit status.
bench_cleanup() {
    local status=$1
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
}

# Refuses to start when something already listens on the port.
refuse_busy_port() {
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        echo "$BENCH_NAME: something is already listening on 127.0.0.1:$PORT; set PORT=..." >&2
        exit 1
    fi
}

# Builds the server and the bench in release mode; sets SERVER_BIN and BENCH_BIN.
build_release() {
    log "building (release) in $CARGO_TARGET_DIR"
    (cd "$ROOT" && cargo build --release -p support-chat -p support-chat-bench >&2)
    SERVER_BIN="$CARGO_TARGET_DIR/release/support-chat"
    BENCH_BIN="$CARGO_TARGET_DIR/release/support-chat-bench"
}

# Creates WORKDIR and the database (a fresh PostgreSQL database named "$1_<time>_<pid>", or a
# SQLite file in WORKDIR); sets DATABASE_URL.
make_database() {
    WORKDIR="$(mktemp -d "${TMPDIR:-/tmp}/support-chat-bench.XXXXXX")"
    if [[ "$BACKEND" == postgres ]]; then
        PG_DB="$1_$(date +%s)_$$"
        log "creating database $PG_DB"
        psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$PG_DB\"" >&2
        DATABASE_URL="$PG_URL/$PG_DB"
    else
        DATABASE_URL="sqlite://$WORKDIR/bench.db"
    fi
}

# Starts the server (exported SUPPORT_CHAT_* and REDIS_URL variables apply), waits until it is
# healthy and prints its RSS right after start as one JSON line.
start_server() {
    log "starting server on $BASE_URL ($BACKEND)"
    SUPPORT_CHAT_MESSAGE_RATE_PER_MINUTE=100000000 SUPPORT_CHAT_MESSAGE_BURST=100000 SUPPORT_CHAT_LOGIN_RATE_PER_MINUTE=100000 \
        "$SERVER_BIN" serve \
        --bind "127.0.0.1:$PORT" \
        --data-dir "$WORKDIR" \
        --database-url "$DATABASE_URL" \
        >"$WORKDIR/server.log" 2>&1 &
    SERVER_PID=$!
    local deadline=$((SECONDS + HEALTH_TIMEOUT_SECS))
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
    local rss
    rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")"
    log "server healthy (pid $SERVER_PID), RSS right after start: ${rss} kB"
    printf '{"backend":"%s","serverPid":%s,"serverRssAfterStartKb":%s}\n' \
        "$BACKEND" "$SERVER_PID" "${rss:-null}"
}
