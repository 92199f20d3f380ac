#!/bin/sh
# Start or stop a throwaway PostgreSQL cluster for the sync server's integration tests.
#   eval "$(tests/integration/pg_cluster.sh start)"   # exports WELCOME_DESK_TEST_PG_URL
#   tests/integration/pg_cluster.sh stop
# Port 55432 on 127.0.0.1 only, trust auth, data in $PG_CLUSTER_DIR (default /tmp/welcome-desk-pg).
set -eu

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PORT=${PG_PORT:-55432}
DIR=${PG_CLUSTER_DIR:-/tmp/welcome-desk-pg}
DB=welcome_desk_test

if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "pg_cluster.sh: PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2
    exit 1
fi

# initdb refuses to run as root: run the server as the postgres user then.
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/sh -c "$1"
    else
        sh -c "$1"
    fi
}

case "${1:-}" in
start)
    # The cluster is throwaway: one left by an earlier run (still running, or a stale
    # postmaster.pid after the machine was stopped) is stopped and replaced.
    if [ -f "$DIR/data/postmaster.pid" ]; then
        if as_pg "'$PG_BIN/pg_ctl' -D '$DIR/data' status" >/dev/null 2>&1; then
            echo "pg_cluster.sh: stopping the cluster an earlier run left in $DIR" >&2
            as_pg "'$PG_BIN/pg_ctl' -D '$DIR/data' -m immediate -w stop" >/dev/null
        else
            echo "pg_cluster.sh: removing the stale cluster an earlier run left in $DIR" >&2
        fi
    fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
    as_pg "'$PG_BIN/initdb' -D '$DIR/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 -N" \
        >"$DIR/initdb.log" 2>&1
    # A port held by something else (another PostgreSQL, say): try the next ones.
    tries=0
    until as_pg "'$PG_BIN/pg_ctl' -D '$DIR/data' -l '$DIR/pg.log' \
        -o \"-p $PORT -k '$DIR' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\" \
        -w start" >/dev/null 2>&1; do
        tries=$((tries + 1))
        if [ "$tries" -ge 10 ]; then
            echo "pg_cluster.sh: PostgreSQL did not start; see $DIR/pg.log" >&2
            exit 1
        fi
        PORT=$((PORT + 1))
    done
    as_pg "'$PG_BIN/psql' -h 127.0.0.1 -p $PORT -U postgres -q -c 'CREATE DATABASE $DB'" >/dev/null
    echo "export WELCOME_DESK_TEST_PG_URL=postgresql://postgres@127.0.0.1:$PORT/$DB"
    ;;
stop)
    if [ -f "$DIR/data/postmaster.pid" ]; then
        as_pg "'$PG_BIN/pg_ctl' -D '$DIR/data' -m fast -w stop" >/dev/null
    fi
    rm -rf "$DIR"
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
