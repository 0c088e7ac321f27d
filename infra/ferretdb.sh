# shellcheck shell=bash
# MongoDB-compatible server: FerretDB v1 built from the Go module proxy, because MongoDB itself is in no
# registry we can reach. Its data lives in PostgreSQL (the server postgres.sh runs, database chirp_ferret),
# with GIN companions to FerretDB's indexes so that lookups use an index (ferretdb-indexes.sql): with its
# SQLite handler, or on PostgreSQL without them, every lookup reads the whole collection.
# Sourced by scripts/infra after lib.sh and postgres.sh.

FERRETDB_VERSION="${FERRETDB_VERSION:-v1.24.2}"
MONGO_PORT="${MONGO_PORT:-27017}"
FERRETDB_DIR="$CACHE/ferretdb"          # run dir: ferretdb.log, ferretdb.pid (and data/ of the old SQLite default)
FERRETDB_BIN="$CACHE/bin/ferretdb-$FERRETDB_VERSION"
# postgresql (default) or sqlite (the earlier default, whose lookups scan: for data kept from before).
FERRETDB_HANDLER="${FERRETDB_HANDLER:-postgresql}"
FERRETDB_DATABASE="${FERRETDB_DATABASE:-chirp_ferret}"

ferretdb_install() {
  if [[ -x "$FERRETDB_BIN" ]]; then log "ferretdb: binary cached ($FERRETDB_BIN)"; return 0; fi
  command -v go >/dev/null || die "ferretdb: go not found (needs Go >= 1.22 to build FerretDB)"
  log "ferretdb: building $FERRETDB_VERSION from the Go module proxy (minutes on a cold cache, once)"
  local dir src="$FERRETDB_DIR/src-$FERRETDB_VERSION"
  dir="$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -d "$dir" ]] || die "ferretdb: go mod download gave no source dir"
  # The module cache is read-only, and `go install` from it gives a binary that panics at start
  # because the generated build/version/version.txt is missing: build from a writable copy.
  rm -rf "$src" && mkdir -p "$(dirname "$src")" "$(dirname "$FERRETDB_BIN")"
  cp -r "$dir" "$src" && chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  # GOTOOLCHAIN=auto: a local Go older than the module's `go` line fetches a newer toolchain
  # from the proxy; a newer local Go (1.26 here) builds it as is.
  (cd "$src" && GOTOOLCHAIN=auto GOFLAGS=-buildvcs=false \
    go build -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) >&2 || die "ferretdb: go build failed"
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$src"
  log "ferretdb: built $FERRETDB_BIN"
}

# mongo_ping HOST PORT: a real wire-protocol round trip without any client installed:
# send OP_MSG {ping: 1, $db: "admin"} and look for {ok: 1.0} (double) in the reply.
mongo_ping() {
  # shellcheck disable=SC2016 # the script expands in the child bash, on purpose
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    # header(len 51, id 1, responseTo 0, opcode 2013) flags(0) kind-0 section, BSON doc (30 bytes)
    printf "\x33\0\0\0\x01\0\0\0\0\0\0\0\xdd\x07\0\0\0\0\0\0\0" >&3
    printf "\x1e\0\0\0\x10ping\0\x01\0\0\0\x02\$db\0\x06\0\0\0admin\0\0" >&3
    len=$(dd bs=1 count=4 status=none <&3 | od -An -tu4 | tr -d " ")
    [[ "$len" =~ ^[0-9]+$ ]] && (( len > 16 && len < 65536 )) || exit 1
    dd bs=$((len - 4)) count=1 iflag=fullblock status=none <&3 | od -An -tx1 | tr -d " \n" \
      | grep -q "016f6b00000000000000f03f"
  ' _ "$1" "$2" 2>/dev/null
}

ferretdb_external() { external_addr MONGO_URL "$MONGO_PORT" "$MONGO_PORT"; }

ferretdb_psql() {
  "$(pg_bindir)/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"
}

# The database FerretDB keeps its collections in, with the GIN companions and the plan setting. Idempotent.
ferretdb_prepare_postgres() {
  [[ -n "$(pg_bindir)" ]] && pg_ready || die "ferretdb: needs PostgreSQL on 127.0.0.1:$PGPORT (scripts/infra up postgres)"
  if [[ -z "$(ferretdb_psql -d postgres -c "select 1 from pg_database where datname = '$FERRETDB_DATABASE'")" ]]; then
    log "ferretdb: creating database $FERRETDB_DATABASE"
    ferretdb_psql -d postgres -c "create database \"$FERRETDB_DATABASE\"" >/dev/null
  fi
  ferretdb_psql -d "$FERRETDB_DATABASE" -f "$INFRA/ferretdb-indexes.sql" >/dev/null \
    || die "ferretdb: could not apply infra/ferretdb-indexes.sql to $FERRETDB_DATABASE"
}

# Data of the earlier SQLite default is not moved: say so at every start, rather than lose it silently.
ferretdb_warn_sqlite_data() {
  compgen -G "$FERRETDB_DIR/data/*.sqlite" >/dev/null || return 0
  log "ferretdb: NOTE $FERRETDB_DIR/data holds data of the earlier SQLite default, which this server does"
  log "  not read (the default is now PostgreSQL). To keep using it: scripts/infra down ferretdb &&"
  log "  FERRETDB_HANDLER=sqlite scripts/infra up ferretdb. To drop it: rm -r $FERRETDB_DIR/data"
}

# The handler a running FerretDB of ours was started with (from its command line).
ferretdb_running_handler() {
  tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | sed -n 's/^--handler=//p'
}

ferretdb_start() {
  local ext pid
  if ext="$(ferretdb_external)"; then log "ferretdb: MONGO_URL is set ($ext), not starting FerretDB"; return 0; fi
  if port_open 127.0.0.1 "$MONGO_PORT"; then
    if pid="$(pid_alive "$FERRETDB_DIR/ferretdb.pid")"; then
      log "ferretdb :$MONGO_PORT already running (ours, pid $pid)"
      local running; running="$(ferretdb_running_handler "$pid")"
      [[ "$running" == "$FERRETDB_HANDLER" ]] || log "ferretdb: it runs --handler=$running, not $FERRETDB_HANDLER;" \
        "to switch: scripts/infra down ferretdb && scripts/infra up ferretdb"
      [[ "$running" != postgresql ]] || ferretdb_prepare_postgres
    else log "ferretdb :$MONGO_PORT already running (external: $(port_owner "$MONGO_PORT" || true)), skipping FerretDB"; fi
    return 0
  fi
  ferretdb_install
  local backend
  case "$FERRETDB_HANDLER" in
    postgresql)
      ferretdb_prepare_postgres
      ferretdb_warn_sqlite_data
      backend=("--postgresql-url=postgres://postgres@127.0.0.1:$PGPORT/$FERRETDB_DATABASE")
      log "ferretdb :$MONGO_PORT starting (data in PostgreSQL :$PGPORT, database $FERRETDB_DATABASE)" ;;
    sqlite)
      mkdir -p "$FERRETDB_DIR/data"
      # FERRETDB_SQLITE_PARAMS (e.g. "?_pragma=synchronous(normal)"): SQLite options, for probes only.
      backend=("--sqlite-url=file:$FERRETDB_DIR/data/${FERRETDB_SQLITE_PARAMS:-}")
      log "ferretdb :$MONGO_PORT starting (sqlite data in $FERRETDB_DIR/data; lookups scan whole collections)" ;;
    *) die "ferretdb: FERRETDB_HANDLER must be postgresql or sqlite, not '$FERRETDB_HANDLER'" ;;
  esac
  # --telemetry=disable: no phoning home (we have no internet); the state dir under the run dir also lets
  # pid_alive recognise the process as ours; --debug-addr=- : no metrics/pprof listener on 8088 to clash.
  mkdir -p "$FERRETDB_DIR/state"
  pid="$(proc_start ferretdb "$FERRETDB_DIR" "$FERRETDB_BIN" "--handler=$FERRETDB_HANDLER" "${backend[@]}" \
    "--listen-addr=127.0.0.1:$MONGO_PORT" "--state-dir=$FERRETDB_DIR/state" \
    --debug-addr=- --telemetry=disable "--log-level=${FERRETDB_LOG_LEVEL:-info}")"
  wait_for "ferretdb on 127.0.0.1:$MONGO_PORT (wire ping)" 60 "$FERRETDB_DIR/ferretdb.log" "$pid" \
    mongo_ping 127.0.0.1 "$MONGO_PORT"
  log "ferretdb :$MONGO_PORT ready (pid $pid)"
}

ferretdb_stop() { proc_stop ferretdb "$FERRETDB_DIR" 20; }

ferretdb_status() {
  local ext pid addr="127.0.0.1:$MONGO_PORT"
  if ext="$(ferretdb_external)"; then
    if hp_open "$ext"; then status_row ferretdb "$ext" up "external (MONGO_URL)"
    else status_row ferretdb "$ext" down "external (MONGO_URL)"; return 1; fi
  elif pid="$(pid_alive "$FERRETDB_DIR/ferretdb.pid")"; then
    if mongo_ping 127.0.0.1 "$MONGO_PORT"; then status_row ferretdb "$addr" up "pid $pid"
    else status_row ferretdb "$addr" "not answering" "pid $pid"; return 1; fi
  elif port_open 127.0.0.1 "$MONGO_PORT"; then
    status_row ferretdb "$addr" up "external ($(port_owner "$MONGO_PORT" || true))"
  else status_row ferretdb "$addr" down -; return 1; fi
}

# ---- a private instance (fault tests restart it without touching the shared server) ----

# ferretdb_instance ACTION PORT DIR: start|stop|status|destroy a FerretDB of its own on PORT (run files in DIR),
# with the cached binary and its data in a database of its own on the shared PostgreSQL; destroy stops it and
# drops that database.
ferretdb_instance() {
  local action="$1"
  unset MONGO_URL
  MONGO_PORT="$2" FERRETDB_DIR="$3" FERRETDB_DATABASE="chirp_ferret_$2"
  if [[ "$action" == destroy ]]; then
    ferretdb_stop
    [[ "$FERRETDB_HANDLER" != postgresql ]] \
      || ferretdb_psql -d postgres -c "drop database if exists \"$FERRETDB_DATABASE\" with (force)" >/dev/null
    return
  fi
  "ferretdb_$action"
}
