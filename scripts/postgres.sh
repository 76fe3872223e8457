# shellcheck shell=bash
# PostgreSQL for the test suite, sourced by scripts/test.sh:
#   qd_postgres_ensure   make $QD_TEST_POSTGRES_URL answer: use the server at that URL (default
#                        postgres://postgres@127.0.0.1:5432/postgres, trust auth); when nothing
#                        answers there, install Debian's postgresql if missing and start a
#                        throwaway cluster under .test/pg on a free port
#   qd_postgres_stop     stop that throwaway cluster (if this script started one)
#   qd_postgres_sweep    drop the per-test databases and roles (qd_t_*) earlier runs left behind

QD_PG_STARTED=""

_qd_pg_log() { printf 'postgres: %s\n' "$*" >&2; }

_qd_pg_answers() {
    command -v psql >/dev/null 2>&1 && psql "$1" -Atqc 'SELECT 1' >/dev/null 2>&1
}

qd_postgres_ensure() {
    local url="${QD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    if _qd_pg_answers "$url"; then
        export QD_TEST_POSTGRES_URL="$url"
        _qd_pg_log "using $url"
        return 0
    fi
    _qd_pg_log "nothing answers at $url: starting a throwaway cluster"
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        local sudo=""
        if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
        $sudo apt-get update >&2
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends postgresql >&2
    fi
    local bin dir port run_as=()
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    dir="$QD_ROOT/.test/pg"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
    rm -rf "$dir"
    mkdir -p "$dir"
    # initdb and postgres refuse to run as root.
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres "$dir"
        run_as=(runuser -u postgres --)
    fi
    "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >"$dir/initdb.log" 2>&1
    "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >&2
    QD_PG_STARTED="$bin/pg_ctl -D $dir/data"
    export QD_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
    PATH="$bin:$PATH"
    _qd_pg_answers "$QD_TEST_POSTGRES_URL" || { _qd_pg_log "the cluster did not start"; return 1; }
    _qd_pg_log "started $QD_TEST_POSTGRES_URL"
}

qd_postgres_sweep() {
    local db role
    for db in $(psql "$QD_TEST_POSTGRES_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'qd\_t\_%'"); do
        psql "$QD_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true
    done
    # The database-role test's owner and serving roles (qd_t_<database>_owner / _app).
    for role in $(psql "$QD_TEST_POSTGRES_URL" -Atqc "SELECT rolname FROM pg_roles WHERE rolname LIKE 'qd\_t\_%'"); do
        psql "$QD_TEST_POSTGRES_URL" -qc "DROP ROLE IF EXISTS \"$role\"" >/dev/null 2>&1 || true
    done
}

qd_postgres_stop() {
    if [[ -n "$QD_PG_STARTED" ]]; then
        if [[ $(id -u) -eq 0 ]]; then
            runuser -u postgres -- $QD_PG_STARTED -m fast stop >&2 || true
        else
            $QD_PG_STARTED -m fast stop >&2 || true
        fi
        QD_PG_STARTED=""
    fi
}
