# The private PostgreSQL cluster that ops/run and ops/test use when DATABASE_URL is unset.
# Sourced after common.sh.
#
# Layout of one cluster (NAME is "run" or "test", so both can run at once):
#   <cluster>/data        PGDATA (initdb once; reused afterwards)
#   <cluster>/socket      unix socket directory (trust auth, mode 0700)
#   <cluster>/server.log  the server's log
#   <cluster>/secrets     generated passwords of the two roles (mode 0600)
# PostgreSQL refuses to run as root, so as root it runs as the `postgres` user
# and the cluster lives where that user can reach: the project's data dir when
# it can, else /var/lib/ledgerbridge/<hash of the checkout path>.

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

as_cluster_user() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

cluster_dir() {
  local name=$1 dir="$DATA_DIR/pg-$1"
  if is_root && ! runuser -u postgres -- test -x "$DATA_DIR" 2>/dev/null; then
    dir="/var/lib/ledgerbridge/$(printf '%s' "$ROOT_DIR" | sha256sum | cut -c1-12)/pg-$name"
  fi
  printf '%s\n' "$dir"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# pg_cluster_start NAME: initialise (first time only) and start the cluster; sets PG_CLUSTER, PG_PORT, PG_SOCKET.
pg_cluster_start() {
  local name=$1
  [ -n "$PG_BIN" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  PG_CLUSTER=$(cluster_dir "$name")
  PG_SOCKET="$PG_CLUSTER/socket"
  mkdir -p "$PG_CLUSTER" "$PG_SOCKET"
  if is_root; then chown postgres:postgres "$PG_CLUSTER" "$PG_SOCKET"; fi
  chmod 700 "$PG_CLUSTER" "$PG_SOCKET"
  if [ ! -f "$PG_CLUSTER/data/PG_VERSION" ]; then
    log "initialising private PostgreSQL cluster in $PG_CLUSTER/data"
    as_cluster_user "$PG_BIN/initdb" -D "$PG_CLUSTER/data" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$PG_CLUSTER/initdb.log" 2>&1 \
      || { cat "$PG_CLUSTER/initdb.log" >&2; die "initdb failed"; }
  fi
  if as_cluster_user "$PG_BIN/pg_ctl" -D "$PG_CLUSTER/data" status >/dev/null 2>&1; then
    # Line 4 of postmaster.pid is the port the running server listens on.
    PG_PORT=$(sed -n 4p "$PG_CLUSTER/data/postmaster.pid")
    log "private PostgreSQL ($name) already running on 127.0.0.1:$PG_PORT"
    PG_STARTED_HERE=0
  else
    PG_PORT=${LEDGERBRIDGE_PG_PORT:-$(free_port)}
    log "starting private PostgreSQL ($name) on 127.0.0.1:$PG_PORT"
    as_cluster_user "$PG_BIN/pg_ctl" -D "$PG_CLUSTER/data" -l "$PG_CLUSTER/server.log" -w -t 60 \
      -o "-p $PG_PORT -k $PG_SOCKET -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off" \
      start >/dev/null || { tail -n 30 "$PG_CLUSTER/server.log" >&2; die "PostgreSQL did not start"; }
    PG_STARTED_HERE=1
  fi
  pg_ensure_roles
}

pg_cluster_stop() {
  [ -n "${PG_CLUSTER:-}" ] || return 0
  if [ "${PG_STARTED_HERE:-0}" = 1 ]; then
    log "stopping private PostgreSQL"
    as_cluster_user "$PG_BIN/pg_ctl" -D "$PG_CLUSTER/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

# The superuser, over the unix socket.
pg_admin_url() { printf 'postgresql://postgres@/%s?host=%s&port=%s\n' "${1:-postgres}" "$PG_SOCKET" "$PG_PORT"; }

pg_admin_psql() {
  psql -X -q -v ON_ERROR_STOP=1 "$(pg_admin_url "${PG_ADMIN_DB:-postgres}")" "$@"
}

# The two roles of README.md: the owner runs migrations; the app role owns nothing,
# is not superuser and cannot bypass row-level security.
pg_ensure_roles() {
  local secrets="$PG_CLUSTER/secrets"
  if [ ! -f "$secrets" ]; then
    (umask 077; printf 'OWNER_PASSWORD=%s\nAPP_PASSWORD=%s\n' "$(openssl rand -hex 24)" "$(openssl rand -hex 24)" >"$secrets")
  fi
  # shellcheck disable=SC1090
  . "$secrets"
  pg_admin_psql -v owner_pw="$OWNER_PASSWORD" -v app_pw="$APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE ledgerbridge_owner LOGIN PASSWORD %L', :'owner_pw')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledgerbridge_owner') \gexec
SELECT format('CREATE ROLE ledgerbridge_app LOGIN PASSWORD %L NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT', :'app_pw')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledgerbridge_app') \gexec
SQL
}

# pg_create_database NAME: an empty database owned by the owner role (kept if it exists).
pg_create_database() {
  local db=$1
  pg_admin_psql -v db="$db" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER ledgerbridge_owner', :'db')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO ledgerbridge_app', :'db') \gexec
SQL
}

pg_drop_database() {
  pg_admin_psql -v db="$1" <<'SQL' || true
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', :'db') \gexec
SQL
}

# Exports the URLs the binary and the tests read.
pg_export_urls() {
  local db=$1
  export DATABASE_URL="postgresql://ledgerbridge_app:$APP_PASSWORD@127.0.0.1:$PG_PORT/$db"
  export MIGRATION_DATABASE_URL="postgresql://ledgerbridge_owner:$OWNER_PASSWORD@127.0.0.1:$PG_PORT/$db"
}
