# shellcheck shell=bash
# Helpers for running a local moto server (fake AWS) for Quarterdeck.
#
# Source this file; it defines:
#   qd_moto_venv               ensure $QD_ROOT/.venv has moto[server] + boto3
#   qd_moto_start PORT LOGFILE start moto_server on 127.0.0.1:PORT, sets QD_MOTO_PID
#   qd_moto_stop               stop the server started by qd_moto_start
#   qd_moto_seed PORT [ARGS..] run scripts/seed_moto.py against it
#
# QD_ROOT defaults to the parent of the directory holding this file.
# Safe to use from scripts running with `set -euo pipefail`.
# Call qd_moto_start in the current shell (not inside $(...)), otherwise
# QD_MOTO_PID is lost with the subshell.

QD_MOTO_VERSION="${QD_MOTO_VERSION:-5.2.5}"
QD_MOTO_PID="${QD_MOTO_PID:-}"
if [[ -z "${QD_ROOT:-}" ]]; then
    QD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fi

_qd_moto_log() {
    printf 'moto: %s\n' "$*" >&2
}

qd_moto_venv() {
    local venv="$QD_ROOT/.venv"
    if [[ -x "$venv/bin/moto_server" ]] &&
        "$venv/bin/python" -c 'import moto, boto3' >/dev/null 2>&1; then
        _qd_moto_log "using existing venv $venv"
        return 0
    fi
    if ! command -v python3 >/dev/null 2>&1; then
        _qd_moto_log "error: python3 not found (needed to create $venv)"
        return 1
    fi
    if [[ ! -x "$venv/bin/python" ]]; then
        _qd_moto_log "creating venv $venv"
        if ! python3 -m venv "$venv" >&2; then
            _qd_moto_log "error: 'python3 -m venv $venv' failed (is python3-venv installed?)"
            return 1
        fi
    fi
    _qd_moto_log "installing moto[server]==$QD_MOTO_VERSION and boto3 into $venv"
    if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "moto[server]==$QD_MOTO_VERSION" boto3 >&2; then
        _qd_moto_log "error: pip install of moto[server]==$QD_MOTO_VERSION failed"
        return 1
    fi
    if [[ ! -x "$venv/bin/moto_server" ]] ||
        ! "$venv/bin/python" -c 'import moto, boto3' >/dev/null 2>&1; then
        _qd_moto_log "error: $venv is still missing moto_server or boto3 after install"
        return 1
    fi
    _qd_moto_log "venv ready"
}

qd_moto_start() {
    if [[ $# -ne 2 ]]; then
        _qd_moto_log "usage: qd_moto_start PORT LOGFILE"
        return 2
    fi
    local port="$1" logfile="$2"
    local server="$QD_ROOT/.venv/bin/moto_server"
    local url="http://127.0.0.1:$port/moto-api/"
    if [[ ! -x "$server" ]]; then
        _qd_moto_log "error: $server not found (run qd_moto_venv first)"
        return 1
    fi
    if ! command -v curl >/dev/null 2>&1; then
        _qd_moto_log "error: curl not found"
        return 1
    fi
    if [[ -n "$QD_MOTO_PID" ]] && kill -0 "$QD_MOTO_PID" 2>/dev/null; then
        _qd_moto_log "error: a moto server started here is already running (pid $QD_MOTO_PID)"
        return 1
    fi
    if curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; then
        _qd_moto_log "error: something already answers on 127.0.0.1:$port"
        return 1
    fi
    mkdir -p "$(dirname "$logfile")"
    _qd_moto_log "starting moto_server on 127.0.0.1:$port (log: $logfile)"
    MOTO_ECS_SERVICE_RUNNING="${MOTO_ECS_SERVICE_RUNNING:-2}" \
        "$server" -H 127.0.0.1 -p "$port" >"$logfile" 2>&1 &
    QD_MOTO_PID=$!

    local deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        if curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; then
            _qd_moto_log "moto_server ready (pid $QD_MOTO_PID)"
            return 0
        fi
        if ! kill -0 "$QD_MOTO_PID" 2>/dev/null; then
            local rc=0
            wait "$QD_MOTO_PID" 2>/dev/null || rc=$?
            _qd_moto_log "error: moto_server exited early (status $rc); last lines of $logfile:"
            tail -n 20 "$logfile" >&2 || true
            QD_MOTO_PID=""
            return 1
        fi
        sleep 0.2
    done
    _qd_moto_log "error: moto_server did not answer on $url within 30 s; last lines of $logfile:"
    tail -n 20 "$logfile" >&2 || true
    qd_moto_stop
    return 1
}

qd_moto_stop() {
    local pid="${QD_MOTO_PID:-}"
    if [[ -z "$pid" ]]; then
        return 0
    fi
    if kill -0 "$pid" 2>/dev/null; then
        _qd_moto_log "stopping moto_server (pid $pid)"
        kill "$pid" 2>/dev/null || true
        local tries=50
        while ((tries > 0)) && kill -0 "$pid" 2>/dev/null; do
            sleep 0.1
            tries=$((tries - 1))
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
    QD_MOTO_PID=""
    return 0
}

qd_moto_seed() {
    if [[ $# -lt 1 ]]; then
        _qd_moto_log "usage: qd_moto_seed PORT [seed_moto.py args...]"
        return 2
    fi
    local port="$1"
    shift
    "$QD_ROOT/.venv/bin/python" "$QD_ROOT/scripts/seed_moto.py" \
        --endpoint "http://127.0.0.1:$port" "$@"
}
