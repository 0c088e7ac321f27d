# shellcheck shell=bash
# Shared helpers for the local infrastructure scripts. Sourced, never executed.
# Safe under `set -euo pipefail`: every probe returns a status instead of failing loudly.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC2034 # INFRA is used by the service files sourced after this one
INFRA="$ROOT/infra"
# Everything we build, download or run lives here (.cache/ is git-ignored).
CACHE="${CHIRP_CACHE:-$ROOT/.cache}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# port_open HOST PORT: true if something accepts TCP connections there (1 s max).
port_open() {
  # shellcheck disable=SC2016 # $1/$2 expand in the child bash, on purpose
  timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# url_hostport URL DEFAULT_PORT -> "host:port" (scheme, user info, path and query stripped).
url_hostport() {
  local rest="${1#*://}"
  rest="${rest%%[/?]*}"; rest="${rest##*@}"; rest="${rest%%,*}"
  case "$rest" in
    \[*\]:*) echo "$rest" ;;           # [::1]:5432
    \[*\]) echo "$rest:$2" ;;
    *:*) echo "$rest" ;;
    *) echo "$rest:$2" ;;
  esac
}

# external_addr VAR DEFAULT_PORT LOCAL_PORT: when env VAR is set and points somewhere other than
# the server we would manage (127.0.0.1/localhost:LOCAL_PORT), print its host:port and succeed.
# A VAR that names our own default address is not an override, so `.env` files with defaults work.
external_addr() {
  local val="${!1:-}" hp host port
  [[ -n "$val" ]] || return 1
  hp="$(url_hostport "$val" "$2")"
  host="${hp%:*}"; port="${hp##*:}"
  case "$host" in 127.0.0.1|localhost|\[::1\]|0.0.0.0)
    [[ "$port" == "$3" ]] && return 1 ;;
  esac
  echo "$hp"
}

# Name of the process listening on a local port, for "already running (external: mongod)".
port_owner() { ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)".*/\1/p' | head -n1; }

# host_port_open "host:port"
hp_open() { port_open "${1%:*}" "${1##*:}"; }

# wait_for DESC TIMEOUT_S LOGFILE PID CMD...: poll CMD every 0.25 s until it succeeds.
# Fails early if PID (may be empty) dies, and prints the log tail on failure.
wait_for() {
  local desc="$1" timeout="$2" logfile="$3" pid="$4"; shift 4
  local deadline=$(( $(date +%s) + timeout ))
  log "waiting for $desc (up to ${timeout}s)"
  until "$@"; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      log "process $pid exited while waiting for $desc"; show_tail "$logfile"; return 1
    fi
    if (( $(date +%s) >= deadline )); then
      log "timed out after ${timeout}s waiting for $desc"; show_tail "$logfile"; return 1
    fi
    sleep 0.25
  done
}

show_tail() {
  [[ -n "$1" && -f "$1" ]] || return 0
  log "last lines of $1:"; tail -n 30 "$1" | sed 's/^/    /' >&2
}

# ---- pid files: we only ever signal a pid that we wrote ourselves and that is still alive ----

# pid_alive PIDFILE: prints the pid and succeeds when the recorded process is running AND its
# command line mentions the pid file's directory (every command we start references its own
# dir), so a recycled pid belonging to someone else is never mistaken for ours.
pid_alive() {
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(head -n1 "$1" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$(dirname "$1")" || return 1
  echo "$pid"
}

# proc_start NAME DIR CMD...: run CMD detached (nohup, own session) with output in DIR/NAME.log
# and its pid in DIR/NAME.pid. The previous log is kept as NAME.log.prev so readiness checks
# that grep the log never see an old run's lines. Prints the pid.
proc_start() {
  local name="$1" dir="$2"; shift 2
  mkdir -p "$dir"
  [[ -f "$dir/$name.log" ]] && mv -f "$dir/$name.log" "$dir/$name.log.prev"
  nohup setsid "$@" >"$dir/$name.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$dir/$name.pid"
  echo "$pid"
}

# proc_stop NAME DIR [GRACE_S]: SIGTERM our process, wait, SIGKILL after the grace period.
proc_stop() {
  local name="$1" dir="$2" grace="${3:-30}" pid
  if ! pid="$(pid_alive "$dir/$name.pid")"; then
    rm -f "$dir/$name.pid"; log "$name: not running (nothing of ours to stop)"; return 0
  fi
  log "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(( $(date +%s) + grace ))
  while kill -0 "$pid" 2>/dev/null; do
    if (( $(date +%s) >= deadline )); then
      log "$name: still alive after ${grace}s, sending SIGKILL"; kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.2
  done
  rm -f "$dir/$name.pid"
  log "$name: stopped"
}

# status_row NAME ADDR STATE OWNER: one machine-readable line, formatted by scripts/infra.
status_row() { printf '%s|%s|%s|%s\n' "$1" "$2" "$3" "$4"; }
