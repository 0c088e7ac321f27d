# shellcheck shell=bash
# PostgreSQL from the Debian packages, as a private cluster of our own (not the distro's "main").
# Sourced by scripts/infra after lib.sh.

PGPORT="${PGPORT:-5432}"
PG_DATABASES="${PG_DATABASES:-chirp_post chirp_ferret}"
PG_DIR="$CACHE/postgres"                # data/, run/ (unix socket), postgres.log

# PostgreSQL refuses to run as root, so as root we run it as the `postgres` OS user.
pg_as() {
  if [[ $EUID -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

# Newest installed server version's bin dir, empty when none is installed.
pg_bindir() {
  local d; d="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
  [[ -n "$d" && -x "$d/pg_ctl" ]] && echo "$d"
}

postgres_install() {
  if [[ -n "$(pg_bindir)" ]]; then log "postgres: installed ($(pg_bindir))"; return 0; fi
  local sudo=""; [[ $EUID -eq 0 ]] || sudo=sudo
  log "postgres: not installed, apt-get install postgresql"
  $sudo apt-get update -q >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
  # The package may auto-start its own "main" cluster on 5432, which would take our port.
  # We just created it ourselves, so stop it and keep it from starting at boot.
  local ver name _rest
  while read -r ver name _rest; do
    $sudo pg_ctlcluster "$ver" "$name" stop 2>/dev/null || true
    [[ -f "/etc/postgresql/$ver/$name/start.conf" ]] && echo manual | $sudo tee "/etc/postgresql/$ver/$name/start.conf" >/dev/null
  done < <(pg_lsclusters -h 2>/dev/null || true)
  [[ -n "$(pg_bindir)" ]] || die "postgres: install failed (no /usr/lib/postgresql/*/bin/pg_ctl)"
}

# As root the cluster directory must be reachable by the postgres user. If the repo lives under
# a private path (e.g. /root, mode 700), fall back to a dir in the postgres user's home.
pg_pick_dir() {
  [[ $EUID -eq 0 && -z "${PG_DIR_PICKED:-}" ]] && id postgres >/dev/null 2>&1 || return 0
  PG_DIR_PICKED=1
  if ! runuser -u postgres -- test -x "$CACHE"; then
    local home; home="$(getent passwd postgres | cut -d: -f6)"
    PG_DIR="$home/chirp-$(printf '%s' "$CACHE" | cksum | cut -d' ' -f1)"
  fi
}

pg_ready() { "$(pg_bindir)/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; }
pg_ours_pid() { # pid of the postmaster of OUR data dir, if it is running
  [[ -n "$(pg_bindir)" && -f "$PG_DIR/data/postmaster.pid" ]] || return 1
  pg_as "$(pg_bindir)/pg_ctl" status -D "$PG_DIR/data" >/dev/null 2>&1 || return 1
  head -n1 "$PG_DIR/data/postmaster.pid"
}

pg_init() {
  [[ -f "$PG_DIR/data/PG_VERSION" ]] && return 0
  log "postgres: initdb $PG_DIR/data"
  mkdir -p "$PG_DIR/data"
  [[ $EUID -eq 0 ]] && chown -R postgres:postgres "$PG_DIR"
  # DEV ONLY: trust auth. initdb's pg_hba.conf only has local-socket and loopback (127.0.0.1/32,
  # ::1/128) lines, and we listen on 127.0.0.1 only, so any local user can connect as anyone.
  pg_as "$(pg_bindir)/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C \
    >"$PG_DIR/initdb.log" 2>&1 || { show_tail "$PG_DIR/initdb.log"; die "postgres: initdb failed"; }
  echo "include 'chirp.conf'" >>"$PG_DIR/data/postgresql.conf"
}

# Rewritten on every start so a changed PGPORT takes effect.
pg_write_conf() {
  mkdir -p "$PG_DIR/run"
  cat >"$PG_DIR/data/chirp.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PG_DIR/run'
max_connections = 200
shared_buffers = 128MB
EOF
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$PG_DIR/run" "$PG_DIR/data/chirp.conf"
  return 0
}

postgres_create_dbs() {
  local db bin; bin="$(pg_bindir)"
  for db in $PG_DATABASES; do
    if ! "$bin/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -tAqc \
        "select 1 from pg_database where datname = '$db'" | grep -q 1; then
      log "postgres: creating database $db"
      "$bin/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$db"
    fi
  done
}

postgres_external() { external_addr DATABASE_URL 5432 "$PGPORT"; }

postgres_start() {
  local ext pid
  if ext="$(postgres_external)"; then log "postgres: DATABASE_URL is set ($ext), not starting PostgreSQL"; return 0; fi
  postgres_install
  pg_pick_dir
  [[ "$PG_DIR" == "$CACHE/postgres" ]] || log "postgres: the postgres user cannot reach $CACHE, cluster lives in $PG_DIR"
  if port_open 127.0.0.1 "$PGPORT"; then
    if pid="$(pg_ours_pid)"; then log "postgres :$PGPORT already running (ours, pid $pid)"
    else log "postgres :$PGPORT already running (external: not our cluster)"; fi
    postgres_create_dbs || log "postgres: could not create databases on the external server"
    return 0
  fi
  pg_init
  pg_write_conf
  log "postgres :$PGPORT starting (data $PG_DIR/data)"
  pg_as "$(pg_bindir)/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -W start >/dev/null \
    || { show_tail "$PG_DIR/postgres.log"; die "postgres: pg_ctl start failed"; }
  wait_for "postgres on 127.0.0.1:$PGPORT (pg_isready)" 60 "$PG_DIR/postgres.log" "" pg_ready
  postgres_create_dbs
  log "postgres :$PGPORT ready (pid $(pg_ours_pid || echo '?'))"
}

postgres_stop() {
  pg_pick_dir
  local pid
  if ! pid="$(pg_ours_pid)"; then log "postgres: not running (nothing of ours to stop)"; return 0; fi
  log "postgres: stopping pid $pid"
  pg_as "$(pg_bindir)/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null
  log "postgres: stopped"
}

postgres_status() {
  local ext pid addr="127.0.0.1:$PGPORT"
  if ext="$(postgres_external)"; then
    if hp_open "$ext"; then status_row postgres "$ext" up "external (DATABASE_URL)"
    else status_row postgres "$ext" down "external (DATABASE_URL)"; return 1; fi
    return 0
  fi
  pg_pick_dir
  [[ -n "$(pg_bindir)" ]] || { status_row postgres "$addr" "not installed" -; return 1; }
  if pid="$(pg_ours_pid)"; then
    if pg_ready; then status_row postgres "$addr" up "pid $pid"
    else status_row postgres "$addr" starting "pid $pid"; return 1; fi
  elif pg_ready; then status_row postgres "$addr" up external
  else status_row postgres "$addr" down -; return 1; fi
}

# ---- a private instance (fault tests restart it without touching the shared server) ----

# postgres_instance ACTION PORT DIR: start|stop|status a cluster of its own in DIR on PORT, with no
# databases created. DIR must be reachable by the postgres user when run as root (e.g. under /tmp).
postgres_instance() {
  local action="$1"
  unset DATABASE_URL
  PGPORT="$2" PG_DIR="$3" PG_DIR_PICKED=1 PG_DATABASES=""
  mkdir -p "$PG_DIR"
  "postgres_$action"
}
