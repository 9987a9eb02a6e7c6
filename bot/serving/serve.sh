#!/usr/bin/env bash
# Starts the action server and the Rasa server (REST channel), both on 127.0.0.1, and stops
# both on Ctrl-C. Ports: RASA_PORT (5005), ACTION_PORT (5055; bot/endpoints.yml reads it). The
# HTTP API is on behind RASA_AUTH_TOKEN, or a token made at start and written to data/api-token
# (owner only), for `make deploy-model`. A port another program holds is refused at
# once, and "assistant ready" is printed only when the processes listening on both ports are
# the ones this script started (another assistant answering there does not count).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 SANIC_HOST=127.0.0.1
export RASA_PORT=${RASA_PORT:-5005} ACTION_PORT=${ACTION_PORT:-5055}
MODEL=${MODEL:-models/current.tar.gz}
if [ "${TRACKER_STORE:-}" = postgres ]; then
  # PostgreSQL tracker store + Redis lock store (bot/endpoints.scaled.yml; docs/deploy.md):
  # say plainly when either cannot be reached, create the database when missing
  ENDPOINTS=${ENDPOINTS:-bot/endpoints.scaled.yml}
  eval "$($BIN/python -m bot.serving.shared_stores --exports)"  # the defaults, for Rasa's ${...}
  $BIN/python -m bot.serving.shared_stores || exit 1
fi
ENDPOINTS=${ENDPOINTS:-bot/endpoints.yml}
mkdir -p data/trackers
ports=("$ACTION_PORT")
if [ "${1:-}" != "--actions-only" ]; then ports+=("$RASA_PORT"); fi
$BIN/python -m bot.serving.ports free "${ports[@]}" || exit 1

pids=()
warm_pid=""
stop() { trap - INT TERM EXIT; kill "${pids[@]}" $warm_pid 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT

$BIN/rasa run actions --actions actions --port "$ACTION_PORT" &
pids+=($!)
if [ "${1:-}" = "--actions-only" ]; then wait; exit 0; fi

RASA_AUTH_TOKEN=${RASA_AUTH_TOKEN:-$($BIN/python -c 'import secrets; print(secrets.token_hex(24))')}
(umask 077 && printf '%s' "$RASA_AUTH_TOKEN" > data/api-token)  # read by bot/serving/deploy_model.py
api=(--enable-api "--auth-token=$RASA_AUTH_TOKEN")  # one argument, even if it starts with "-"
$BIN/python -m bot.serving.runtime run --model "$MODEL" --interface 127.0.0.1 --port "$RASA_PORT" \
  --credentials bot/credentials.yml --endpoints "$ENDPOINTS" "${api[@]}" &
pids+=($!)
# Warm both servers (model graph, action imports, knowledge base) so the first resident does
# not wait: one message through the whole stack once both answer.
ours() {  # both processes alive, and each port held by the one started for it
  kill -0 "${pids[0]}" "${pids[1]}" 2>/dev/null &&
    $BIN/python -m bot.serving.ports owns "${pids[0]}" "$ACTION_PORT" &&
    $BIN/python -m bot.serving.ports owns "${pids[1]}" "$RASA_PORT"
}
(
  for _ in $(seq 1 600); do
    kill -0 "${pids[0]}" "${pids[1]}" 2>/dev/null || exit 1  # the main script reports it
    if curl -sf "http://127.0.0.1:$RASA_PORT/" >/dev/null && curl -sf "http://127.0.0.1:$ACTION_PORT/health" >/dev/null; then
      if ! ours; then
        echo "端口上应答的不是本次启动的进程 / the servers answering are not the ones this launch started" >&2
        kill -TERM $$  # stops both servers (trap)
        exit 1
      fi
      curl -sf -H 'Content-Type: application/json' -d '{"sender":"__warmup__","message":"医保咨询电话"}' \
        "http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook" >/dev/null || true
      ours || { kill -TERM $$; exit 1; }
      echo "assistant ready: REST channel http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook (Ctrl-C stops)"
      exit 0
    fi
    sleep 0.5
  done
) &
warm_pid=$!
wait -n "${pids[@]}"
