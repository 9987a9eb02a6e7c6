#!/usr/bin/env bash
# Starts the action server and the Rasa server (REST channel), both on 127.0.0.1, and stops
# both on Ctrl-C. Ports: RASA_PORT (5005), ACTION_PORT (5055; must match ENDPOINTS). The HTTP API stays off unless
# RASA_AUTH_TOKEN is set.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 SANIC_HOST=127.0.0.1
export RASA_PORT=${RASA_PORT:-5005} ACTION_PORT=${ACTION_PORT:-5055}
MODEL=${MODEL:-models/current.tar.gz}
ENDPOINTS=${ENDPOINTS:-bot/endpoints.yml}
mkdir -p data/trackers

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT

$BIN/rasa run actions --actions actions --port "$ACTION_PORT" &
pids+=($!)
if [ "${1:-}" = "--actions-only" ]; then wait; exit 0; fi

api=()
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then api=(--enable-api --auth-token "$RASA_AUTH_TOKEN"); fi
$BIN/rasa run --model "$MODEL" --interface 127.0.0.1 --port "$RASA_PORT" \
  --credentials bot/credentials.yml --endpoints "$ENDPOINTS" "${api[@]}" &
pids+=($!)
echo "assistant starting: REST channel http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook (Ctrl-C stops)"
wait -n "${pids[@]}"
