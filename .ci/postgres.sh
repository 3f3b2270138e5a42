# Starts a throwaway PostgreSQL cluster on loopback for the test run and stops it on exit.
# Installs Debian's postgresql package when the server binaries are missing.

PG_PORT="${PG_PORT:-55432}"

find_pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

start_postgres() {
  local pgbin
  pgbin="$(find_pg_bin)"
  if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
    echo "== installing PostgreSQL from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pgbin="$(find_pg_bin)"
  fi
  PG_BIN="$pgbin"
  PG_DATA="$(mktemp -d /tmp/merecharge-pg.XXXXXX)"
  chown postgres:postgres "$PG_DATA"
  chmod 700 "$PG_DATA"
  trap stop_postgres EXIT
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  local options="-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_DATA -c max_connections=300"
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 30 -o "$options" start >/dev/null
  # For the outage spec, which stops and restarts this server.
  export TEST_PG_CTL="runuser -u postgres -- $PG_BIN/pg_ctl -D $PG_DATA -l $PG_DATA/server.log -o '$options'"
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE merecharge_test"
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/merecharge_test"
}

stop_postgres() {
  if [ -n "${PG_DATA:-}" ] && [ -d "$PG_DATA" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DATA"
  fi
}
