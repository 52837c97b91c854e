# Starts PostgreSQL and Redis on loopback with their data under a temporary folder, and
# exports DATABASE_URL and REDIS_URL. Sourced by .ci/run (and usable by hand:
# `source .ci/services.sh && services_start`). PostgreSQL refuses to run as root, so it runs
# as the `postgres` user. The application connects as `smarketing`: no superuser, no
# BYPASSRLS, so row-level security binds it exactly as in deployment.

PG_PORT="${PG_PORT:-54329}"
REDIS_PORT="${REDIS_PORT:-63799}"

services_install() {
  local need=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql postgresql-contrib)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
  command -v make >/dev/null 2>&1 || need+=(make)
  if [ ${#need[@]} -gt 0 ]; then
    echo "Installing: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
}

services_start() {
  SERVICES_DIR="$(mktemp -d /tmp/smarketing-services.XXXXXX)"
  chmod 755 "$SERVICES_DIR"
  local pgbin
  pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  mkdir -p "$SERVICES_DIR/pg" "$SERVICES_DIR/sock" "$SERVICES_DIR/log"
  chown postgres:postgres "$SERVICES_DIR/pg" "$SERVICES_DIR/sock" "$SERVICES_DIR/log"
  runuser -u postgres -- "$pgbin/initdb" -D "$SERVICES_DIR/pg" -U postgres \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$SERVICES_DIR/pg" -l "$SERVICES_DIR/log/postgresql.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $SERVICES_DIR/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  runuser -u postgres -- psql -h "$SERVICES_DIR/sock" -p "$PG_PORT" -U postgres -q -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE smarketing LOGIN PASSWORD 'smarketing' NOSUPERUSER NOBYPASSRLS CREATEDB;
CREATE DATABASE smarketing OWNER smarketing;
SQL
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$SERVICES_DIR" --daemonize yes --pidfile "$SERVICES_DIR/redis.pid" \
    --logfile "$SERVICES_DIR/redis.log"
  for _ in $(seq 1 50); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  export SERVICES_DIR PG_BIN="$pgbin"
  export DATABASE_URL="postgres://smarketing:smarketing@127.0.0.1:$PG_PORT/smarketing"
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
  # For tests that stop and restart Redis to prove nothing is lost meanwhile.
  export REDIS_SERVER_CMD="redis-server --port $REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no --dir $SERVICES_DIR"
}

services_stop() {
  [ -n "${SERVICES_DIR:-}" ] || return 0
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$SERVICES_DIR"
}
