# shellcheck shell=bash
# MongoDB-compatible server: FerretDB v1 (SQLite backend) built from the Go module proxy, because
# MongoDB itself is in no registry we can reach. Sourced by scripts/infra after lib.sh.

FERRETDB_VERSION="${FERRETDB_VERSION:-v1.24.2}"
MONGO_PORT="${MONGO_PORT:-27017}"
FERRETDB_DIR="$CACHE/ferretdb"          # run dir: ferretdb.log, ferretdb.pid, data/
FERRETDB_BIN="$CACHE/bin/ferretdb-$FERRETDB_VERSION"

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

# Name of the process listening on a local port, for "already running (external: mongod)".
port_owner() { ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)".*/\1/p' | head -n1; }

ferretdb_external() { external_addr MONGO_URL "$MONGO_PORT" "$MONGO_PORT"; }

ferretdb_start() {
  local ext pid
  if ext="$(ferretdb_external)"; then log "ferretdb: MONGO_URL is set ($ext), not starting FerretDB"; return 0; fi
  if port_open 127.0.0.1 "$MONGO_PORT"; then
    if pid="$(pid_alive "$FERRETDB_DIR/ferretdb.pid")"; then log "ferretdb :$MONGO_PORT already running (ours, pid $pid)"
    else log "ferretdb :$MONGO_PORT already running (external: $(port_owner "$MONGO_PORT" || true)), skipping FerretDB"; fi
    return 0
  fi
  ferretdb_install
  mkdir -p "$FERRETDB_DIR/data"
  log "ferretdb :$MONGO_PORT starting (sqlite data in $FERRETDB_DIR/data)"
  # --state-dir=- and --telemetry=disable: no state file, no phoning home (we have no internet);
  # --debug-addr=- : no metrics/pprof HTTP listener on 8088 to clash with anything.
  # FERRETDB_SQLITE_PARAMS (e.g. "?_pragma=synchronous(normal)"): SQLite options, for probes only.
  pid="$(proc_start ferretdb "$FERRETDB_DIR" "$FERRETDB_BIN" --handler=sqlite \
    "--sqlite-url=file:$FERRETDB_DIR/data/${FERRETDB_SQLITE_PARAMS:-}" "--listen-addr=127.0.0.1:$MONGO_PORT" \
    --state-dir=- --debug-addr=- --telemetry=disable "--log-level=${FERRETDB_LOG_LEVEL:-info}")"
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

# ferretdb_instance ACTION PORT DIR: start|stop|status a FerretDB of its own (SQLite data in DIR) on PORT,
# with the cached binary.
ferretdb_instance() {
  local action="$1"
  unset MONGO_URL
  MONGO_PORT="$2" FERRETDB_DIR="$3"
  "ferretdb_$action"
}
