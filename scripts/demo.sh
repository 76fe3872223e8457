#!/usr/bin/env bash
# README command 1: the demo. Installs what is missing, starts moto (fake AWS) on loopback,
# seeds three accounts with realistic workloads, builds Quarterdeck and serves it at
# http://127.0.0.1:3000 with the dev sign-in. Ctrl-C stops the console and moto.
set -euo pipefail
QD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export QD_ROOT
cd "$QD_ROOT"
# shellcheck source=scripts/tools.sh
source scripts/tools.sh
# shellcheck source=scripts/moto.sh
source scripts/moto.sh

MOTO_PORT="${QD_DEMO_MOTO_PORT:-5000}"
LISTEN="${QD_DEMO_LISTEN:-127.0.0.1:3000}"
STATE_DIR="$QD_ROOT/.demo"
mkdir -p "$STATE_DIR"

qd_tools_rust
qd_tools_npm
qd_moto_venv

_qd_say "building Quarterdeck (debug build; the first build takes several minutes)"
cargo leptos build

trap 'qd_moto_stop' EXIT INT TERM
_qd_say "starting moto on 127.0.0.1:$MOTO_PORT"
qd_moto_start "$MOTO_PORT" "$STATE_DIR/moto.log"
_qd_say "seeding dev, staging and prod"
qd_moto_seed "$MOTO_PORT" --reset

qd_emulator_credentials
rm -f "$STATE_DIR"/quarterdeck.db*
qd_write_config "$STATE_DIR/quarterdeck.toml" "$LISTEN" "http://127.0.0.1:$MOTO_PORT" "sqlite://$STATE_DIR/quarterdeck.db"
target/debug/quarterdeck check-config --config "$STATE_DIR/quarterdeck.toml"
_qd_say "Quarterdeck is at http://$LISTEN (sign in with any name and a role; Ctrl-C stops)"
target/debug/quarterdeck serve --config "$STATE_DIR/quarterdeck.toml"
