#!/usr/bin/env bash
# Start a Hookline fleet on one machine: 2 API processes and 2 bridge processes sharing
# PostgreSQL and Redis, which must already be running. No Docker needed.
#
#   HOOKLINE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hookline \
#   HOOKLINE_REDIS_URL=redis://127.0.0.1:6379/0 deploy/fleet.sh
#
# APIs listen on :8001 and :8002 (put a load balancer in front); bridges expose /healthz,
# /readyz and /metrics on :9101 and :9102. Ctrl-C stops them all (SIGTERM: in-flight
# deliveries finish or return to the queue).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${HOOKLINE_DATABASE_URL:?set HOOKLINE_DATABASE_URL to a postgres:// URL}"
: "${HOOKLINE_REDIS_URL:?set HOOKLINE_REDIS_URL to a redis:// URL}"
export HOOKLINE_DATABASE_URL HOOKLINE_REDIS_URL
HOOKLINE=${HOOKLINE:-.venv/bin/hookline}

"$HOOKLINE" migrate
pids=()
"$HOOKLINE" serve --no-bridge --port 8001 & pids+=($!)
"$HOOKLINE" serve --no-bridge --port 8002 & pids+=($!)
"$HOOKLINE" bridge --port 9101 & pids+=($!)
"$HOOKLINE" bridge --port 9102 & pids+=($!)
trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait' INT TERM
wait
