# shellcheck shell=bash
# Apache Kafka 3.9 (KRaft, one combined broker+controller node), fetched from Maven Central.
# Sourced by scripts/infra after lib.sh. An "instance" is (PORT, CONTROLLER_PORT, DIR): the default
# one lives in $CACHE/kafka/<port>, tests start throwaway ones in a DIR of their own.
# DIR holds server.properties, kafka.log, kafka.pid and data/ (the log.dirs).

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"

# The jar set is keyed on the pom's checksum, so editing a version re-installs.
kafka_libs_dir() {
  echo "$CACHE/kafka/libs-$(cksum <"$INFRA/kafka/pom.xml" | cut -d' ' -f1)"
}

kafka_install() {
  local libs; libs="$(kafka_libs_dir)"
  if [[ -f "$libs/.complete" ]]; then log "kafka: libs cached ($libs)"; return 0; fi
  command -v java >/dev/null || die "kafka: java not found (apt-get install -y openjdk-17-jre-headless)"
  command -v mvn >/dev/null || die "kafka: mvn not found (apt-get install -y maven)"
  log "kafka: fetching broker jars from Maven Central (~20 s, once)"
  rm -rf "$libs.tmp" && mkdir -p "$CACHE/kafka"
  # Output goes to a log (Debian's Maven 3.8 prints colour codes even with -B -q).
  mvn -B -q -f "$INFRA/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$libs.tmp" >"$CACHE/kafka/mvn.log" 2>&1 \
    || { show_tail "$CACHE/kafka/mvn.log"; die "kafka: mvn dependency:copy-dependencies failed"; }
  # Only a complete copy is published, so an interrupted download is redone next time.
  touch "$libs.tmp/.complete"
  rm -rf "$libs" && mv "$libs.tmp" "$libs"
  local jars=("$libs"/*.jar)
  log "kafka: installed ${#jars[@]} jars in $libs"
}

# Kafka cluster ids are 16 random bytes in URL-safe base64 without padding (22 chars).
# One starting with "-" would be read as an option by StorageTool, so draw again.
kafka_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22)"
    [[ "$id" != -* ]] && { echo "$id"; return; }
  done
}

# The JVM command line shared by the storage tool and the broker (heap opts split on purpose).
kafka_java_cmd() {
  # shellcheck disable=SC2206
  KAFKA_JAVA=(java $KAFKA_HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$INFRA/kafka/log4j.properties" -cp "$(kafka_libs_dir)/*")
}

kafka_ready() { # PORT LOGFILE
  grep -q 'Kafka Server started' "$2" 2>/dev/null && port_open 127.0.0.1 "$1"
}

# kafka_instance_start PORT CONTROLLER_PORT DIR
kafka_instance_start() {
  local port="$1" cport="$2" dir="$3" pid
  if port_open 127.0.0.1 "$port"; then
    if pid="$(pid_alive "$dir/kafka.pid")"; then log "kafka :$port already running (ours, pid $pid)"
    else log "kafka :$port already running (external: not started by these scripts)"; fi
    return 0
  fi
  port_open 127.0.0.1 "$cport" && die "kafka: controller port $cport is taken by another process"
  kafka_install
  kafka_java_cmd
  mkdir -p "$dir/data"
  dir="$(cd "$dir" && pwd)"
  sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$cport|g" -e "s|@DATA_DIR@|$dir/data|g" \
    "$INFRA/kafka/server.properties.template" >"$dir/server.properties"
  # Format once; an existing meta.properties means the data (topics, offsets) is kept.
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    log "kafka :$port formatting $dir/data"
    "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$(kafka_cluster_id)" \
      -c "$dir/server.properties" >"$dir/format.log" 2>&1 \
      || { show_tail "$dir/format.log"; die "kafka: storage format failed"; }
  fi
  log "kafka :$port starting (data $dir/data)"
  pid="$(proc_start kafka "$dir" "${KAFKA_JAVA[@]}" kafka.Kafka "$dir/server.properties")"
  wait_for "kafka on 127.0.0.1:$port" "$KAFKA_START_TIMEOUT" "$dir/kafka.log" "$pid" \
    kafka_ready "$port" "$dir/kafka.log"
  log "kafka :$port ready (pid $pid)"
}

# Controlled shutdown of a single KRaft node takes a few seconds; allow 60 before SIGKILL.
kafka_instance_stop() { proc_stop kafka "$3" 60; }

kafka_instance_status() { # PORT CONTROLLER_PORT DIR
  local port="$1" dir="$3" pid
  if pid="$(pid_alive "$dir/kafka.pid")"; then
    if port_open 127.0.0.1 "$port"; then status_row kafka "127.0.0.1:$port" up "pid $pid"
    else status_row kafka "127.0.0.1:$port" starting "pid $pid"; return 1; fi
  elif port_open 127.0.0.1 "$port"; then status_row kafka "127.0.0.1:$port" up external
  else status_row kafka "127.0.0.1:$port" down -; return 1; fi
}

# ---- the default instance, honouring KAFKA_BROKERS ----

kafka_dir() { echo "$CACHE/kafka/$KAFKA_PORT"; }
kafka_external() { external_addr KAFKA_BROKERS "$KAFKA_PORT" "$KAFKA_PORT"; }

kafka_start() {
  local ext
  if ext="$(kafka_external)"; then log "kafka: KAFKA_BROKERS is set ($ext), not starting a local broker"; return 0; fi
  kafka_instance_start "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$(kafka_dir)"
}

kafka_stop() { kafka_instance_stop "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$(kafka_dir)"; }

kafka_status() {
  local ext
  if ext="$(kafka_external)"; then
    if hp_open "$ext"; then status_row kafka "$ext" up "external (KAFKA_BROKERS)"
    else status_row kafka "$ext" down "external (KAFKA_BROKERS)"; return 1; fi
  else
    kafka_instance_status "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$(kafka_dir)"
  fi
}
