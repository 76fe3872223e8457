#!/usr/bin/env bash
# README command 3: the benchmark. Installs what is missing (as the other two commands do),
# builds the release (server, wasm, CSS) and the bench crate in one cargo build, starts moto on
# loopback and runs `bench run`, which seeds 3 accounts × N services for each N, measures the
# console against SPEC §9's targets and a bare-SDK floor, prints one table and writes it to
# docs/benchmarks.md. Arguments go to `bench run` (e.g. --sizes 200 --seconds 4 for a quick look;
# `target/release/bench run --help` lists them).
set -euo pipefail
QD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export QD_ROOT
cd "$QD_ROOT"
# shellcheck source=scripts/tools.sh
source scripts/tools.sh
# shellcheck source=scripts/moto.sh
source scripts/moto.sh
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh

unset RUSTFLAGS
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
started=$(date +%s)
step() {
    printf '\n==> [%ss] %s\n' "$(($(date +%s) - started))" "$*" >&2
}

step "tools"
qd_tools_rust
qd_tools_npm
qd_moto_venv

step "release build: server, wasm and CSS (cargo leptos build --release)"
cargo leptos build --release
step "release build: the bench (shares the server's compiled dependencies)"
cargo build --release -p server -p bench

mkdir -p target/bench
trap 'qd_moto_stop; qd_postgres_stop' EXIT INT TERM
step "PostgreSQL, for the replica measurement"
qd_postgres_ensure
MOTO_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
step "moto on 127.0.0.1:$MOTO_PORT"
qd_moto_start "$MOTO_PORT" "$QD_ROOT/target/bench/moto.log"

step "bench run"
target/release/bench run --moto "http://127.0.0.1:$MOTO_PORT" --moto-version "$QD_MOTO_VERSION" \
    --postgres "$QD_TEST_POSTGRES_URL" "$@"
step "done"
