#!/usr/bin/env bash
# Bring up PostgreSQL (+PostGIS), Redis and the MQTT broker (Mosquitto) for Jiaoying when they are not reachable.
# Idempotent and non-interactive. Env: DATABASE_URL, REDIS_URL, MQTT_URL, EXTRA_DATABASES,
# WITH_BROWSER=1 (also Debian's chromium and a CJK font, for the browser test).
# A reachable server is never reconfigured; only databases/extensions are created.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$ROOT_DIR/.run"
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/jiaoying}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
MQTT_URL="${MQTT_URL:-mqtt://127.0.0.1:1883}"
EXTRA_DATABASES="${EXTRA_DATABASES:-}"
export DEBIAN_FRONTEND=noninteractive PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-5}"

log() { echo "services: $*"; }
die() { echo "services: ERROR: $*" >&2; exit 1; }

mkdir -p "$RUN_DIR"
# Serialise concurrent runs (e.g. parallel CI steps).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$RUN_DIR/services.lock"
  flock -w 300 9 || die "timed out waiting for $RUN_DIR/services.lock"
fi

# fd 9 (the lock) is closed for children so that daemons started here do not keep holding it.
as_root() {
  if [[ $EUID -eq 0 ]]; then "$@" 9>&-
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@" 9>&-
  else die "need root (or passwordless sudo) to run: $*"; fi
}

# ---------- apt helpers ----------
pkg_installed() { [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]; }

APT_UPDATED=0
POLICY_RC_CREATED=0
cleanup() { if [[ $POLICY_RC_CREATED -eq 1 ]]; then as_root rm -f /usr/sbin/policy-rc.d || true; fi; }
trap cleanup EXIT

ensure_pkgs() {
  local missing=() p
  for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get"
  # Keep package postinst scripts from starting stray daemons; this script starts what it needs.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 755 /usr/sbin/policy-rc.d
    POLICY_RC_CREATED=1
  fi
  if [[ $APT_UPDATED -eq 0 ]]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# ---------- generic helpers ----------
# A host that is a directory is PostgreSQL's Unix-domain socket there (.s.PGSQL.<port>).
tcp_open() {
  if [[ "$1" == /* ]]; then [[ -S "$1/.s.PGSQL.$2" ]]; else timeout 2 bash -c ": <>/dev/tcp/$1/$2" 2>/dev/null; fi
}
is_local() { [[ "$1" == 127.0.0.1 || "$1" == localhost || "$1" == /* ]]; }
wait_tcp() { # host port seconds
  local i
  for ((i = 0; i < $3 * 4; i++)); do tcp_open "$1" "$2" && return 0; sleep 0.25; done
  return 1
}

# ---------- URL parsing ----------
url_decode() { printf '%b' "${1//%/\\x}"; }
# scheme://[user[:pass]@]host[:port][/path][?query]
URL_RE='^([a-z]+)://(([^@/]*)@)?(\[[^]]*\]|[^/:?]*)(:([0-9]+))?(/([^?]*))?(\?.*)?$'

[[ "$DATABASE_URL" =~ $URL_RE ]] || die "cannot parse DATABASE_URL"
PG_SCHEME="${BASH_REMATCH[1]}"
PG_USERINFO="${BASH_REMATCH[3]}"
PG_HOSTPART="${BASH_REMATCH[4]:-localhost}"
PG_HOST="${PG_HOSTPART#[}"; PG_HOST="${PG_HOST%]}"
PG_PORT="${BASH_REMATCH[6]:-5432}"
PG_DB="${BASH_REMATCH[8]:-}"
PG_QUERY="${BASH_REMATCH[9]:-}"
PG_USER="$(url_decode "${PG_USERINFO%%:*}")"; PG_USER="${PG_USER:-postgres}"
# The socket form: postgres://user@%2Fvar%2Frun%2Fpostgresql/db, or postgres://user@/db?host=/var/run/postgresql.
PG_HOST="$(url_decode "$PG_HOST")"
if [[ "$PG_QUERY" =~ [?\&]host=(/[^\&]*) ]]; then PG_HOST="$(url_decode "${BASH_REMATCH[1]}")"; fi
[[ "$PG_SCHEME" == postgres || "$PG_SCHEME" == postgresql ]] || die "DATABASE_URL must be postgres://"
[[ -n "$PG_DB" ]] || die "DATABASE_URL has no database name"

[[ "$REDIS_URL" =~ $URL_RE ]] || die "cannot parse REDIS_URL"
RD_SCHEME="${BASH_REMATCH[1]}"
RD_USERINFO="${BASH_REMATCH[3]}"
RD_HOST="${BASH_REMATCH[4]:-localhost}"; RD_HOST="${RD_HOST#[}"; RD_HOST="${RD_HOST%]}"
RD_PORT="${BASH_REMATCH[6]:-6379}"
[[ "$RD_SCHEME" == redis || "$RD_SCHEME" == rediss ]] || die "REDIS_URL must be redis:// or rediss://"

[[ "$MQTT_URL" =~ $URL_RE ]] || die "cannot parse MQTT_URL"
MQ_SCHEME="${BASH_REMATCH[1]}"
MQ_HOST="${BASH_REMATCH[4]:-localhost}"; MQ_HOST="${MQ_HOST#[}"; MQ_HOST="${MQ_HOST%]}"
MQ_PORT="${BASH_REMATCH[6]:-1883}"

# URL of another database on the same server, same credentials/options.
pg_url() { echo "${PG_SCHEME}://${PG_USERINFO:+$PG_USERINFO@}${PG_HOSTPART}:${PG_PORT}/$1${PG_QUERY}"; }
pg_psql() { local db="$1"; shift; psql -X -q -At -v ON_ERROR_STOP=1 "$@" "$(pg_url "$db")"; }

# ---------- PostgreSQL: local cluster ----------
pg_clusters() { command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters -h 2>/dev/null || true; }

server_versions() { # installed server majors, newest last
  local d
  for d in /usr/lib/postgresql/*/bin/postgres; do [[ -x "$d" ]] && basename "$(dirname "$(dirname "$d")")"; done | sort -n
}

write_dev_auth() { # ver name: config for a cluster this script created
  local ver="$1" name="$2" conf="/etc/postgresql/$1/$2"
  # Appended (last value wins): pg_conftool/-o write 127.0.0.1 unquoted, which is a syntax error.
  printf '%s\n' '' "listen_addresses = '127.0.0.1'  # scripts/services.sh" | as_root tee -a "$conf/postgresql.conf" >/dev/null
  printf '%s\n' '# Written by scripts/services.sh: local development cluster, trust auth.' \
    'local   all   all                  trust' \
    'host    all   all   127.0.0.1/32   trust' | as_root tee "$conf/pg_hba.conf" >/dev/null
}

pg_bring_up_local() {
  local before ver name status created=0 line
  before="$(pg_clusters | awk '{ print $1, $2 }')"
  if [[ -z "$(server_versions)" ]] || ! command -v pg_createcluster >/dev/null 2>&1; then
    ensure_pkgs postgresql
  fi
  # The package may have created a cluster (e.g. "main" on 5432): if it did, it is ours to configure.
  line="$(pg_clusters | awk -v p="$PG_PORT" '$3 == p { print $1, $2; exit }')"
  if [[ -n "$line" ]]; then
    read -r ver name <<<"$line"
    if ! grep -qxF "$line" <<<"$before"; then
      write_dev_auth "$ver" "$name"
      # Apply the new config if the package already started it.
      if pg_clusters | awk -v v="$ver" -v n="$name" '$1 == v && $2 == n && $4 ~ /online/ { f = 1 } END { exit !f }'; then
        as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" restart || die "restart of cluster $ver/$name failed"
      fi
      created=1
    fi
    ensure_pkgs "postgresql-$ver-postgis-3"
  else
    ver="$(server_versions | tail -n1)"
    [[ -n "$ver" ]] || die "no PostgreSQL server binaries found after install"
    ensure_pkgs "postgresql-$ver-postgis-3"
    name="jiaoying$PG_PORT"
    local locale=C
    locale -a 2>/dev/null | grep -qix 'c\.utf-\?8' && locale=C.UTF-8
    log "creating cluster $ver/$name on 127.0.0.1:$PG_PORT"
    as_root pg_createcluster --port "$PG_PORT" --locale "$locale" --encoding UTF8 "$ver" "$name" >/dev/null \
      || die "pg_createcluster $ver $name failed"
    write_dev_auth "$ver" "$name"
    created=1
  fi

  status="$(pg_clusters | awk -v v="$ver" -v n="$name" '$1 == v && $2 == n { print $4 }')"
  if [[ "$status" != online* ]]; then
    log "starting cluster $ver/$name"
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start \
      || die "pg_ctlcluster $ver $name start failed (see /var/log/postgresql/postgresql-$ver-$name.log)"
  fi
  wait_tcp "$PG_HOST" "$PG_PORT" 30 \
    || die "cluster $ver/$name is running but $PG_HOST:$PG_PORT is not reachable (check listen_addresses/port in /etc/postgresql/$ver/$name)"

  # Role from the URL, in a cluster we created (local trust auth as postgres).
  if [[ $created -eq 1 && "$PG_USER" != postgres ]]; then
    as_root runuser -u postgres -- psql -X -q -p "$PG_PORT" -v ON_ERROR_STOP=1 -v u="$PG_USER" -d postgres <<'SQL' \
      || die "could not create role $PG_USER"
SELECT format('CREATE ROLE %I LOGIN SUPERUSER', :'u') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u') \gexec
SQL
  fi
  log "postgres cluster $ver/$name up at $PG_HOST:$PG_PORT"
}

# ---------- PostgreSQL: databases and extensions ----------
pg_prepare_databases() {
  local info major has_postgis db extra=()
  read -r -a extra <<<"$EXTRA_DATABASES"
  command -v psql >/dev/null 2>&1 || ensure_pkgs postgresql-client
  info="$(pg_psql postgres -c "SELECT current_setting('server_version_num')::int / 10000, EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis')" -F ' ')" \
    || die "cannot connect to PostgreSQL at $PG_HOST:$PG_PORT as $PG_USER (database postgres)"
  read -r major has_postgis <<<"$info"
  if [[ "$has_postgis" != t ]]; then
    is_local "$PG_HOST" || die "postgis extension is not available on $PG_HOST:$PG_PORT (install PostGIS there)"
    ensure_pkgs "postgresql-$major-postgis-3"
  fi
  for db in "$PG_DB" "${extra[@]}"; do
    if [[ "$(pg_psql postgres -v db="$db" <<<"SELECT 1 FROM pg_database WHERE datname = :'db'")" != 1 ]]; then
      # UTF8 even if template1 is not (C collation is compatible with any encoding).
      pg_psql postgres -v db="$db" <<'SQL' >/dev/null || die "could not create database $db"
SELECT format('CREATE DATABASE %I', :'db')
  || CASE WHEN (SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'template1') = 'UTF8' THEN ''
     ELSE ' TEMPLATE template0 ENCODING ''UTF8'' LC_COLLATE ''C'' LC_CTYPE ''C''' END
\gexec
SQL
      log "created database $db"
    fi
    pg_psql "$db" -c 'SET client_min_messages = warning' \
      -c 'CREATE EXTENSION IF NOT EXISTS postgis' -c 'CREATE EXTENSION IF NOT EXISTS pgcrypto' \
      || die "could not create extensions postgis/pgcrypto in database $db"
    log "database $db ready (postgis, pgcrypto)"
  done
}

# ---------- Redis ----------
rd_quote() { local q="${1//\\/\\\\}"; printf '%s' "${q//\"/\\\"}"; } # for a "..." redis.conf argument
redis_bring_up_local() {
  local dir="$RUN_DIR/redis" args=() user="" pass=""
  pkg_installed redis-server && command -v redis-server >/dev/null 2>&1 || ensure_pkgs redis-server
  mkdir -p "$dir"
  if [[ "$RD_USERINFO" == *:* ]]; then
    user="$(url_decode "${RD_USERINFO%%:*}")"; pass="$(url_decode "${RD_USERINFO#*:}")"
  fi
  # Credentials from the URL go to a private include file, not the command line.
  if [[ -n "$pass" ]]; then
    local acl="$RUN_DIR/redis-$RD_PORT.acl.conf"
    rm -f "$acl"
    (umask 077
     if [[ -z "$user" || "$user" == default ]]; then printf 'requirepass "%s"\n' "$(rd_quote "$pass")"
     else printf 'user default off\nuser "%s" on ">%s" "~*" "&*" "+@all"\n' "$(rd_quote "$user")" "$(rd_quote "$pass")"
     fi >"$acl")
    args+=("$acl")
  fi
  log "starting redis on 127.0.0.1:$RD_PORT (dir $dir)"
  redis-server "${args[@]}" --daemonize yes --bind 127.0.0.1 --port "$RD_PORT" \
    --appendonly yes --appendfsync everysec --maxmemory-policy noeviction --save "" \
    --dir "$dir" --appenddirname "appendonly-$RD_PORT" --dbfilename "dump-$RD_PORT.rdb" \
    --logfile "$RUN_DIR/redis-$RD_PORT.log" --pidfile "$RUN_DIR/redis-$RD_PORT.pid" >/dev/null 9>&- \
    || die "redis-server failed to start (see $RUN_DIR/redis-$RD_PORT.log)"
  wait_tcp "$RD_HOST" "$RD_PORT" 15 || die "redis did not come up on $RD_HOST:$RD_PORT (see $RUN_DIR/redis-$RD_PORT.log)"
}

redis_check() {
  # Something is listening: make sure it is a Redis that accepts the URL's credentials.
  [[ "$RD_SCHEME" == redis ]] && command -v redis-cli >/dev/null 2>&1 || return 0
  local auth=() out err user="" pass=""
  if [[ "$RD_USERINFO" == *:* ]]; then
    user="$(url_decode "${RD_USERINFO%%:*}")"; pass="$(url_decode "${RD_USERINFO#*:}")"
  fi
  if [[ -n "$user" ]]; then auth=(--user "$user" --pass "$pass"); elif [[ -n "$pass" ]]; then auth=(-a "$pass"); fi
  err="$(mktemp)"
  out="$(timeout 5 redis-cli --no-auth-warning -h "$RD_HOST" -p "$RD_PORT" "${auth[@]}" ping 2>"$err" || true)"
  # "no password configured" is only a warning for ioredis; a wrong password is not.
  if [[ "$out" != PONG ]] || grep -q WRONGPASS "$err"; then
    out="$(tr '\n' ' ' <"$err")${out}"; rm -f "$err"
    die "$RD_HOST:$RD_PORT is reachable but does not answer PING with the REDIS_URL credentials: ${out:-no answer}"
  fi
  rm -f "$err"
}

# ---------- MQTT (Mosquitto) ----------
mosquitto_bring_up_local() {
  local dir="$RUN_DIR/mosquitto" conf="$RUN_DIR/mosquitto-$MQ_PORT.conf"
  command -v mosquitto >/dev/null 2>&1 || [[ -x /usr/sbin/mosquitto ]] || ensure_pkgs mosquitto
  mkdir -p "$dir"
  # Loopback only, anonymous (development); persistence keeps QoS 1 sessions and retained device states.
  printf '%s\n' "# Written by scripts/services.sh" "listener $MQ_PORT 127.0.0.1" "allow_anonymous true" \
    "persistence true" "persistence_location $dir/" "pid_file $RUN_DIR/mosquitto-$MQ_PORT.pid" \
    "log_dest file $RUN_DIR/mosquitto-$MQ_PORT.log" "user $(id -un)" >"$conf"
  log "starting mosquitto on 127.0.0.1:$MQ_PORT"
  "$(command -v mosquitto || echo /usr/sbin/mosquitto)" -d -c "$conf" 9>&- \
    || die "mosquitto failed to start (see $RUN_DIR/mosquitto-$MQ_PORT.log)"
  wait_tcp "$MQ_HOST" "$MQ_PORT" 15 || die "mosquitto did not come up on $MQ_HOST:$MQ_PORT (see $RUN_DIR/mosquitto-$MQ_PORT.log)"
}

# ---------- main ----------
if tcp_open "$PG_HOST" "$PG_PORT"; then
  log "postgres reachable at $PG_HOST:$PG_PORT"
elif is_local "$PG_HOST"; then
  log "postgres not reachable at $PG_HOST:$PG_PORT, bringing up a local cluster"
  pg_bring_up_local
else
  die "postgres not reachable at $PG_HOST:$PG_PORT (remote host, not starting anything)"
fi
pg_prepare_databases

if tcp_open "$RD_HOST" "$RD_PORT"; then
  log "redis reachable at $RD_HOST:$RD_PORT"
elif is_local "$RD_HOST"; then
  redis_bring_up_local
else
  die "redis not reachable at $RD_HOST:$RD_PORT (remote host, not starting anything)"
fi
redis_check
log "redis ready at $RD_HOST:$RD_PORT"

if tcp_open "$MQ_HOST" "$MQ_PORT"; then
  log "mqtt broker reachable at $MQ_HOST:$MQ_PORT"
elif [[ "$MQ_SCHEME" == mqtt ]] && is_local "$MQ_HOST"; then
  mosquitto_bring_up_local
else
  die "mqtt broker not reachable at $MQ_HOST:$MQ_PORT (remote or TLS broker, not starting anything)"
fi
log "mqtt broker ready at $MQ_HOST:$MQ_PORT"

if [[ "${WITH_BROWSER:-0}" == 1 ]]; then
  [[ -x /usr/bin/chromium ]] || ensure_pkgs chromium
  pkg_installed fonts-wqy-microhei || ensure_pkgs fonts-wqy-microhei
  log "browser ready at /usr/bin/chromium"
fi
