# shellcheck shell=bash
# Trace backend for local development and the e2e suites: Jaeger v2 (an OpenTelemetry Collector build with
# Jaeger's storage and query), built with Go from the module proxy inside the project's own module
# infra/jaeger/ (`go install` refuses Jaeger for the replace directives in its go.mod). Receives OTLP,
# keeps traces in memory, serves the UI and the query API. Only started when named (`scripts/infra up
# jaeger`, or TRACING=1 ./scripts/up). Sourced by scripts/infra after lib.sh.

JAEGER_OTLP_HTTP_PORT="${JAEGER_OTLP_HTTP_PORT:-4318}"
JAEGER_OTLP_GRPC_PORT="${JAEGER_OTLP_GRPC_PORT:-4317}"
JAEGER_UI_PORT="${JAEGER_UI_PORT:-16686}"
JAEGER_QUERY_GRPC_PORT="${JAEGER_QUERY_GRPC_PORT:-16685}"
JAEGER_HEALTH_PORT="${JAEGER_HEALTH_PORT:-13133}"
JAEGER_MODULE="$INFRA_DIR/jaeger"
JAEGER_DIR="$CACHE/jaeger"              # run dir: jaeger.log, jaeger.pid, config.yaml
# The version is the module's (go.mod); the stamp rebuilds the binary when the module changes.
JAEGER_BIN="$CACHE/bin/jaeger-$(cat "$JAEGER_MODULE/go.mod" "$JAEGER_MODULE/go.sum" 2>/dev/null | sha256sum | cut -c1-12)"

jaeger_install() {
  if [[ -x "$JAEGER_BIN" ]]; then log "jaeger: binary cached ($JAEGER_BIN)"; return 0; fi
  command -v go >/dev/null || die "jaeger: go not found (needs Go to build Jaeger)"
  log "jaeger: building $(sed -n 's#^\t*github.com/jaegertracing/jaeger \(v[^ ]*\).*#\1#p' "$JAEGER_MODULE/go.mod" | head -n1) from the Go module proxy (several minutes, once)"
  mkdir -p "$CACHE/bin"
  (cd "$JAEGER_MODULE" && GOTOOLCHAIN=auto GOFLAGS="-buildvcs=false -modcacherw" \
    go build -trimpath -o "$JAEGER_BIN.tmp" github.com/jaegertracing/jaeger/cmd/jaeger) >&2 \
    || die "jaeger: go build failed"
  mv "$JAEGER_BIN.tmp" "$JAEGER_BIN"
  log "jaeger: built $JAEGER_BIN"
}

jaeger_ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$JAEGER_HEALTH_PORT/status" 2>/dev/null; }

jaeger_start() {
  local pid
  if port_open 127.0.0.1 "$JAEGER_OTLP_HTTP_PORT"; then
    if pid="$(pid_alive "$JAEGER_DIR/jaeger.pid")"; then log "jaeger :$JAEGER_OTLP_HTTP_PORT already running (ours, pid $pid)"
    else log "jaeger: :$JAEGER_OTLP_HTTP_PORT already taken ($(port_owner "$JAEGER_OTLP_HTTP_PORT" || true)), skipping Jaeger"; fi
    return 0
  fi
  jaeger_install
  mkdir -p "$JAEGER_DIR"
  cp "$JAEGER_MODULE/config.yaml" "$JAEGER_DIR/config.yaml"
  log "jaeger: starting (OTLP http://127.0.0.1:$JAEGER_OTLP_HTTP_PORT, UI and API http://127.0.0.1:$JAEGER_UI_PORT)"
  pid="$(JAEGER_OTLP_HTTP_PORT="$JAEGER_OTLP_HTTP_PORT" JAEGER_OTLP_GRPC_PORT="$JAEGER_OTLP_GRPC_PORT" \
    JAEGER_UI_PORT="$JAEGER_UI_PORT" JAEGER_QUERY_GRPC_PORT="$JAEGER_QUERY_GRPC_PORT" \
    JAEGER_HEALTH_PORT="$JAEGER_HEALTH_PORT" \
    proc_start jaeger "$JAEGER_DIR" "$JAEGER_BIN" --config "$JAEGER_DIR/config.yaml")"
  wait_for "jaeger on 127.0.0.1:$JAEGER_HEALTH_PORT (/status)" 60 "$JAEGER_DIR/jaeger.log" "$pid" jaeger_ready
  wait_for "jaeger OTLP on 127.0.0.1:$JAEGER_OTLP_HTTP_PORT" 10 "$JAEGER_DIR/jaeger.log" "$pid" \
    port_open 127.0.0.1 "$JAEGER_OTLP_HTTP_PORT"
  log "jaeger ready (pid $pid): UI http://127.0.0.1:$JAEGER_UI_PORT"
}

jaeger_stop() { proc_stop jaeger "$JAEGER_DIR" 10; }

jaeger_status() {
  local pid addr="127.0.0.1:$JAEGER_OTLP_HTTP_PORT"
  if pid="$(pid_alive "$JAEGER_DIR/jaeger.pid")"; then
    if jaeger_ready; then status_row jaeger "$addr" up "pid $pid, UI :$JAEGER_UI_PORT"
    else status_row jaeger "$addr" "not answering" "pid $pid"; return 1; fi
  elif port_open 127.0.0.1 "$JAEGER_OTLP_HTTP_PORT"; then
    status_row jaeger "$addr" up "external ($(port_owner "$JAEGER_OTLP_HTTP_PORT" || true))"
  else status_row jaeger "$addr" down -; return 1; fi
}
