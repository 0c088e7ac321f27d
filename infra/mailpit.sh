# shellcheck shell=bash
# SMTP catcher with a web inbox and an HTTP API: Mailpit, built with Go from the module proxy. The services
# send their mail to it (SMTP_URL), tests read it back through its API. Sourced by scripts/infra after lib.sh.

MAILPIT_VERSION="${MAILPIT_VERSION:-v1.33.1}"
MAILPIT_SMTP_PORT="${MAILPIT_SMTP_PORT:-1025}"
MAILPIT_HTTP_PORT="${MAILPIT_HTTP_PORT:-8025}"
# Oldest messages beyond this are pruned; the e2e suites register thousands of accounts, each mailed once.
MAILPIT_MAX_MESSAGES="${MAILPIT_MAX_MESSAGES:-5000}"
MAILPIT_DIR="$CACHE/mailpit"            # run dir: mailpit.log, mailpit.pid, mailpit.db (the inbox)
MAILPIT_BIN="$CACHE/bin/mailpit-$MAILPIT_VERSION"

mailpit_install() {
  if [[ -x "$MAILPIT_BIN" ]]; then log "mailpit: binary cached ($MAILPIT_BIN)"; return 0; fi
  command -v go >/dev/null || die "mailpit: go not found (needs Go to build Mailpit)"
  log "mailpit: building $MAILPIT_VERSION from the Go module proxy (about a minute, once)"
  local gobin="$CACHE/bin/mailpit-build"
  rm -rf "$gobin" && mkdir -p "$gobin"
  GOBIN="$gobin" GOTOOLCHAIN=auto GOFLAGS=-buildvcs=false \
    go install "github.com/axllent/mailpit@$MAILPIT_VERSION" >&2 || die "mailpit: go install failed"
  mv "$gobin/mailpit" "$MAILPIT_BIN"
  rm -rf "$gobin"
  log "mailpit: built $MAILPIT_BIN"
}

mailpit_ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$MAILPIT_HTTP_PORT/readyz" 2>/dev/null; }

mailpit_external() { external_addr SMTP_URL 25 "$MAILPIT_SMTP_PORT"; }

mailpit_start() {
  local ext pid
  if ext="$(mailpit_external)"; then log "mailpit: SMTP_URL is set ($ext), not starting Mailpit"; return 0; fi
  if port_open 127.0.0.1 "$MAILPIT_SMTP_PORT"; then
    if pid="$(pid_alive "$MAILPIT_DIR/mailpit.pid")"; then log "mailpit :$MAILPIT_SMTP_PORT already running (ours, pid $pid)"
    else log "mailpit :$MAILPIT_SMTP_PORT already running (external: $(port_owner "$MAILPIT_SMTP_PORT" || true)), skipping Mailpit"; fi
    return 0
  fi
  mailpit_install
  mkdir -p "$MAILPIT_DIR"
  log "mailpit: starting (SMTP 127.0.0.1:$MAILPIT_SMTP_PORT, inbox and API http://127.0.0.1:$MAILPIT_HTTP_PORT)"
  # Any SMTP credentials are accepted (and over plain SMTP), so an SMTP_URL with a user works against it too.
  # No version check: it would call GitHub, which this machine cannot reach.
  pid="$(proc_start mailpit "$MAILPIT_DIR" "$MAILPIT_BIN" --database "$MAILPIT_DIR/mailpit.db" \
    --smtp "127.0.0.1:$MAILPIT_SMTP_PORT" --listen "127.0.0.1:$MAILPIT_HTTP_PORT" \
    --max "$MAILPIT_MAX_MESSAGES" \
    --smtp-auth-accept-any --smtp-auth-allow-insecure --disable-version-check)"
  wait_for "mailpit on 127.0.0.1:$MAILPIT_HTTP_PORT (/readyz)" 30 "$MAILPIT_DIR/mailpit.log" "$pid" mailpit_ready
  wait_for "mailpit SMTP on 127.0.0.1:$MAILPIT_SMTP_PORT" 10 "$MAILPIT_DIR/mailpit.log" "$pid" \
    port_open 127.0.0.1 "$MAILPIT_SMTP_PORT"
  log "mailpit ready (pid $pid): inbox http://127.0.0.1:$MAILPIT_HTTP_PORT"
}

mailpit_stop() { proc_stop mailpit "$MAILPIT_DIR" 10; }

mailpit_status() {
  local ext pid addr="127.0.0.1:$MAILPIT_SMTP_PORT"
  if ext="$(mailpit_external)"; then
    if hp_open "$ext"; then status_row mailpit "$ext" up "external (SMTP_URL)"
    else status_row mailpit "$ext" down "external (SMTP_URL)"; return 1; fi
  elif pid="$(pid_alive "$MAILPIT_DIR/mailpit.pid")"; then
    if mailpit_ready; then status_row mailpit "$addr" up "pid $pid, inbox :$MAILPIT_HTTP_PORT"
    else status_row mailpit "$addr" "not answering" "pid $pid"; return 1; fi
  elif port_open 127.0.0.1 "$MAILPIT_SMTP_PORT"; then
    status_row mailpit "$addr" up "external ($(port_owner "$MAILPIT_SMTP_PORT" || true))"
  else status_row mailpit "$addr" down -; return 1; fi
}
