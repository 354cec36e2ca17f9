# Start and stop a temporary PostgreSQL 15 + PostGIS cluster (sourced by .ci/run).
# initdb refuses root, so the cluster runs as the `postgres` user in a temp folder,
# on a unix socket and a free loopback port. Exports TEST_DATABASE_URL.
PG_BIN=/usr/lib/postgresql/15/bin

start_postgres() {
  PG_DIR=$(mktemp -d /tmp/pg-ci.XXXXXX)
  chown postgres:postgres "$PG_DIR"
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR -c fsync=off" start >/dev/null
  runuser -u postgres -- psql -h "$PG_DIR" -p "$PG_PORT" -U postgres -qc "CREATE DATABASE hotspots_test" >/dev/null
  runuser -u postgres -- psql -h "$PG_DIR" -p "$PG_PORT" -U postgres -d hotspots_test -qc "CREATE EXTENSION postgis" >/dev/null
  export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/hotspots_test"
  echo "PostgreSQL/PostGIS test cluster on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
