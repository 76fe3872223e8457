#!/usr/bin/env bash
# README command 1: the demo. Installs what is missing, starts moto (fake AWS) on loopback,
# seeds three accounts with realistic workloads, builds Quarterdeck and serves it at
# http://127.0.0.1:3000 with the dev sign-in. The console reaches moto through
# scripts/aws_replay.py, which answers as real AWS would where moto cannot (load-balancer
# targets that are starting, failing or draining). Ctrl-C stops the console, the proxy and moto.
set -euo pipefail
QD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export QD_ROOT
cd "$QD_ROOT"
# shellcheck source=scripts/tools.sh
source scripts/tools.sh
# shellcheck source=scripts/moto.sh
source scripts/moto.sh

MOTO_PORT="${QD_DEMO_MOTO_PORT:-5000}"
REPLAY_PORT="${QD_DEMO_REPLAY_PORT:-$((MOTO_PORT + 1))}"
LISTEN="${QD_DEMO_LISTEN:-127.0.0.1:3000}"
STATE_DIR="$QD_ROOT/.demo"
mkdir -p "$STATE_DIR"

qd_tools_rust
qd_tools_npm
qd_moto_venv

_qd_say "building Quarterdeck (debug build; the first build takes several minutes)"
cargo leptos build

REPLAY_PID=""
stop_all() {
    if [[ -n "$REPLAY_PID" ]]; then
        kill "$REPLAY_PID" 2>/dev/null || true
    fi
    qd_moto_stop
}
trap stop_all EXIT INT TERM
_qd_say "starting moto on 127.0.0.1:$MOTO_PORT"
qd_moto_start "$MOTO_PORT" "$STATE_DIR/moto.log"
_qd_say "seeding dev, staging and prod"
qd_moto_seed "$MOTO_PORT" --reset --target-health "$STATE_DIR/target-health.json"
_qd_say "starting the replay proxy on 127.0.0.1:$REPLAY_PORT (what moto cannot show)"
"$QD_ROOT/.venv/bin/python" "$QD_ROOT/scripts/aws_replay.py" --listen "127.0.0.1:$REPLAY_PORT" \
    --upstream "http://127.0.0.1:$MOTO_PORT" --target-health "$STATE_DIR/target-health.json" \
    >"$STATE_DIR/replay.log" 2>&1 &
REPLAY_PID=$!

qd_emulator_credentials
rm -f "$STATE_DIR"/quarterdeck.db*
qd_write_config "$STATE_DIR/quarterdeck.toml" "$LISTEN" "http://127.0.0.1:$REPLAY_PORT" "sqlite://$STATE_DIR/quarterdeck.db"
target/debug/quarterdeck check-config --config "$STATE_DIR/quarterdeck.toml"
_qd_say "Quarterdeck is at http://$LISTEN (sign in with any name and a role; Ctrl-C stops)"
target/debug/quarterdeck serve --config "$STATE_DIR/quarterdeck.toml"
