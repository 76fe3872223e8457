#!/usr/bin/env bash
# README command 2: the whole test suite. Installs what is missing (Rust wasm target,
# cargo-leptos, wasm-bindgen, npm packages, Debian's chromium, a venv with moto), then runs:
# formatting, clippy for both feature sets, the build, unit and integration tests against a real
# moto server, and the Playwright end-to-end specs with JavaScript on and off.
set -euo pipefail
QD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export QD_ROOT
cd "$QD_ROOT"
# shellcheck source=scripts/tools.sh
source scripts/tools.sh
# shellcheck source=scripts/moto.sh
source scripts/moto.sh

# cargo-leptos builds debug binaries with this flag (and appends it to any RUSTFLAGS already
# set), so it runs without RUSTFLAGS and every other cargo call passes exactly this: they all
# share one set of compiled dependencies instead of rebuilding them.
unset RUSTFLAGS
QD_RUSTFLAGS="--cfg erase_components"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
STATE_DIR="$QD_ROOT/.test"
rm -rf "$STATE_DIR"
mkdir -p "$STATE_DIR"
started=$(date +%s)
step() {
    printf '\n==> [%ss] %s\n' "$(($(date +%s) - started))" "$*" >&2
}

SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    qd_moto_stop
}
trap cleanup EXIT INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

step "tools"
qd_tools_rust
qd_tools_npm
qd_tools_chromium
qd_moto_venv

step "cargo fmt --check"
cargo fmt --all -- --check

step "build (cargo leptos build: server, wasm, css)"
cargo leptos build

step "clippy, ssr feature set (server and app)"
RUSTFLAGS="$QD_RUSTFLAGS" cargo clippy -p app -p server --all-targets -- -D warnings

step "clippy, hydrate feature set (frontend and app, wasm32)"
RUSTFLAGS="$QD_RUSTFLAGS" cargo clippy -p frontend -p app --all-targets --target wasm32-unknown-unknown --target-dir target/front -- -D warnings

step "moto"
MOTO_PORT="$(free_port)"
qd_moto_start "$MOTO_PORT" "$STATE_DIR/moto.log"
export QD_TEST_MOTO_URL="http://127.0.0.1:$MOTO_PORT"

step "unit and integration tests"
RUSTFLAGS="$QD_RUSTFLAGS" cargo test -p app -p server

step "end-to-end: seed three accounts and start the console"
qd_moto_seed "$MOTO_PORT" --reset
qd_emulator_credentials
APP_PORT="$(free_port)"
qd_write_config "$STATE_DIR/quarterdeck.toml" "127.0.0.1:$APP_PORT" "$QD_TEST_MOTO_URL" "sqlite://$STATE_DIR/quarterdeck.db"
target/debug/quarterdeck serve --config "$STATE_DIR/quarterdeck.toml" >"$STATE_DIR/server.log" 2>&1 &
SERVER_PID=$!
ready=""
for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$APP_PORT/readyz" 2>/dev/null | python3 -c '
import json, sys
body = json.load(sys.stdin)
sys.exit(0 if all(e["freshness"] == "fresh" for e in body["environments"]) else 1)'; then
        ready=yes
        break
    fi
    sleep 0.5
done
if [[ -z "$ready" ]]; then
    echo "the console did not become ready; its log:" >&2
    tail -50 "$STATE_DIR/server.log" >&2
    exit 1
fi
# Details (metrics, tasks) follow the first inventory by a moment.
sleep 2

step "end-to-end: Playwright in Debian's chromium, JavaScript on and off"
rm -rf end2end/screenshots
QD_E2E_BASE_URL="http://127.0.0.1:$APP_PORT" npx --no-install playwright test -c end2end/playwright.config.ts

step "all checks passed"
