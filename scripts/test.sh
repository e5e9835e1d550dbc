#!/usr/bin/env bash
# Runs every test: the web app (types from the OpenAPI contract, unit tests, lint), the Rust
# workspace (format, lints, unit and integration tests on SQLite and PostgreSQL), and the
# end-to-end suite (e2e/: Playwright drives the release binary in Debian's Chromium).
#
# Chromium: the end-to-end suite needs /usr/bin/chromium (or CHROMIUM_PATH); mandatory in CI,
# skipped with a notice elsewhere.
#
# Redis: the multi-node tests need the redis-server binary (mandatory in CI, skipped with a notice
# elsewhere).
# PostgreSQL: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test when a server
# answers there). In CI (CI set) PostgreSQL is mandatory and its absence fails the run; on a
# developer machine without it the PostgreSQL tests skip with a notice.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

pg_up() { # true when a PostgreSQL server answers at the URL
  if command -v pg_isready >/dev/null; then pg_isready -q -d "$1" -t 3; else (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; fi
}

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  candidate="postgres://postgres@127.0.0.1:5432/test"
  if pg_up "$candidate"; then
    export TEST_DATABASE_URL="$candidate"
  elif [ -n "${CI:-}" ]; then
    echo "test.sh: CI requires PostgreSQL at $candidate (or TEST_DATABASE_URL), and none answers" >&2
    exit 1
  else
    echo "NOTICE: no PostgreSQL at $candidate and TEST_DATABASE_URL unset: PostgreSQL tests will be SKIPPED" >&2
  fi
elif ! pg_up "$TEST_DATABASE_URL"; then
  echo "test.sh: TEST_DATABASE_URL is set but PostgreSQL does not answer there" >&2
  exit 1
fi
[ -n "${TEST_DATABASE_URL:-}" ] && echo "PostgreSQL tests use ${TEST_DATABASE_URL%%@*}@…"

# Redis: the multi-node tests start private redis-server processes on free ports.
if ! command -v redis-server >/dev/null; then
  if [ -n "${CI:-}" ]; then
    echo "test.sh: CI requires redis-server (apt-get install -y redis-server) for the multi-node tests" >&2
    exit 1
  fi
  echo "NOTICE: redis-server is not installed: the multi-node Redis tests will be SKIPPED" >&2
fi

# End-to-end: Debian's Chromium (Playwright's own browser downloads are never used).
chromium_bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
run_e2e=1
if [ ! -x "$chromium_bin" ]; then
  if [ -n "${CI:-}" ]; then
    echo "test.sh: CI requires Chromium at $chromium_bin (apt-get install -y chromium) for the end-to-end tests" >&2
    exit 1
  fi
  echo "NOTICE: no Chromium at $chromium_bin (apt-get install -y chromium): the end-to-end tests will be SKIPPED" >&2
  run_e2e=0
fi

step "web: install"
(cd web && npm ci --no-audit --no-fund)
step "web: typecheck against the OpenAPI contract, build"
(cd web && npm run build --silent)
step "web: unit tests"
(cd web && npm test --silent)
step "web: lint"
(cd web && npm run lint --silent)

step "rust: format"
cargo fmt --all -- --check
step "rust: clippy"
cargo clippy --locked --workspace --all-targets -- -D warnings
step "rust: tests (SQLite${TEST_DATABASE_URL:+ and PostgreSQL})"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked --workspace --no-fail-fast
else
  cargo test --locked --workspace --no-fail-fast
fi

if [ "$run_e2e" = 1 ]; then
  # The release binary embeds web/dist, built above: build it after the web app.
  step "e2e: release build of support-chat (embeds web/dist)"
  cargo build --release --locked -p support-chat
  step "e2e: install, typecheck, lint"
  (cd e2e && npm ci --no-audit --no-fund && npm run typecheck --silent && npm run lint --silent)
  step "e2e: Playwright suite (Chromium at $chromium_bin)"
  (cd e2e && CHROMIUM_PATH="$chromium_bin" npm test)
else
  printf '\nNOTICE: the end-to-end tests were SKIPPED (no Chromium at %s)\n' "$chromium_bin" >&2
fi
