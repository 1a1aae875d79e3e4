#!/usr/bin/env bash
# The streaming pipeline on the local stack: every bundled service as a background node process.
#
#   deploy/local/pipeline.sh up     [--no-build] [service...]   start the stack (stack.sh up), bundle,
#                                                               start the services, wait for /ready,
#                                                               print KEY=VALUE settings on stdout
#   deploy/local/pipeline.sh down   [service...]                stop (SIGTERM, wait, SIGKILL after 30 s)
#   deploy/local/pipeline.sh status [service...]                pid, port and /ready of each (exit 3
#                                                               if any is not running)
#
# Services (in start order, HTTP port): ingest 8081, detector 8082, aggregator 8083, sink-oss 8084,
# sink-sls 8085, console 8080. A service without services/<svc>/dist/main.js after the bundle is
# skipped. With DETECTOR_INPUT=raw exported (the detector reads the raw topic itself), `up`
# without a service list leaves ingest out. Through npm: npm run --silent pipeline -- up
#
# Each service gets KAFKA_BROKERS / REDIS_URL from `stack.sh up`, KAFKA_ENSURE_TOPICS=true,
# KAFKA_TOPIC_PARTITIONS=${PIPELINE_PARTITIONS:-3}, HTTP_HOST=127.0.0.1 and its HTTP_PORT; ingest
# and the detector NODE_OPTIONS (default --max-semi-space-size=64, as the chart's); the
# sinks get OSS_* (s3proxy, bucket ${PIPELINE_OSS_BUCKET:-trail-insight-local}, created if missing)
# and SLS_* (the SASL_SSL listener of the local Kafka). Anything else in the caller's environment
# is inherited (e.g. LOG_LEVEL, detector settings); do not export per-service names such as
# KAFKA_GROUP_ID or HTTP_PORT, they would apply to every service. The Redis key prefixes are
# shared names, so one export covers writer and reader: REDIS_PREFIX (detector, console),
# INSIGHT_STORE_PREFIX (aggregator, console). STATE_PREFIX, the console's deprecated name for
# REDIS_PREFIX, is exported as REDIS_PREFIX when that is unset (with a warning; a different
# REDIS_PREFIX is an error).
#
# State: ${TRAIL_INSIGHT_STACK_DIR:-$HOME/.cache/trail-insight/stack}/pipeline/{logs,run}
#   logs/<svc>.log  JSON logs of each service (appended; a banner marks each start)
#   run/<svc>.pid   pid of each service
set -euo pipefail

LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$LOCAL_DIR/../.." && pwd)"
STACK_DIR="${TRAIL_INSIGHT_STACK_DIR:-$HOME/.cache/trail-insight/stack}"
PIPELINE_DIR="$STACK_DIR/pipeline"
RUN_DIR="$PIPELINE_DIR/run"
LOG_DIR="$PIPELINE_DIR/logs"
READY_TIMEOUT_S="${PIPELINE_READY_TIMEOUT_S:-120}"

ALL_SERVICES=(ingest detector aggregator sink-oss sink-sls console)
declare -A STACK=()

# Keep the real stdout on fd 3 for the settings; everything else goes to stderr.
exec 3>&1 1>&2

log() { printf '[pipeline] %s\n' "$*" >&2; }
die() {
  printf '[pipeline] ERROR: %s\n' "$*" >&2
  exit 1
}

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }

port_of() {
  case "$1" in
    ingest) echo 8081 ;;
    detector) echo 8082 ;;
    aggregator) echo 8083 ;;
    sink-oss) echo 8084 ;;
    sink-sls) echo 8085 ;;
    console) echo 8080 ;;
    *) die "unknown service '$1' (known: ${ALL_SERVICES[*]})" ;;
  esac
}

entry_of() { echo "$ROOT_DIR/services/$1/dist/main.js"; }

pid_alive() {
  local pid="$1" state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/stat" ]] || return 1
  state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# running_pid SVC: prints the pid when the service runs (pidfile and command line agree).
running_pid() {
  local svc="$1" pidfile="$RUN_DIR/$1.pid" pid="" cmdline
  [[ -f "$pidfile" ]] || return 1
  read -r pid <"$pidfile" || true
  if pid_alive "$pid"; then
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    if [[ "$cmdline" == *"services/$svc/dist/main.js"* ]]; then
      printf '%s\n' "$pid"
      return 0
    fi
  fi
  rm -f "$pidfile"
  return 1
}

http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true; }

selected_services() {
  if (($# == 0)); then
    printf '%s\n' "${ALL_SERVICES[@]}"
    return
  fi
  local svc
  for svc in "$@"; do
    port_of "$svc" >/dev/null
    printf '%s\n' "$svc"
  done
}

# stack components the selected services need
components_for() {
  local components=(kafka redis) svc
  for svc in "$@"; do
    case "$svc" in
      sink-oss) components+=(s3) ;;
      sink-sls) components+=(kafka-sasl) ;;
    esac
  done
  printf '%s\n' "${components[@]}" | awk '!seen[$0]++'
}

# ensure_bucket NAME: creates an s3proxy bucket (SigV4 PUT); an existing bucket is fine.
ensure_bucket() {
  local bucket="$1" code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X PUT \
    --aws-sigv4 "aws:amz:${STACK[S3_REGION]}:s3" \
    --user "${STACK[S3_ACCESS_KEY_ID]}:${STACK[S3_SECRET_ACCESS_KEY]}" \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "${STACK[S3_ENDPOINT]}/${bucket}" || true)"
  case "$code" in
    200 | 409) log "s3 bucket $bucket: ready" ;;
    *) log "s3 bucket $bucket: PUT answered '$code' (sink-oss may not become ready)" ;;
  esac
}

# service_env SVC: the env assignments of one service, one per line
service_env() {
  local svc="$1"
  printf '%s\n' \
    "HTTP_HOST=127.0.0.1" \
    "HTTP_PORT=$(port_of "$svc")" \
    "KAFKA_BROKERS=${STACK[KAFKA_BROKERS]}" \
    "REDIS_URL=${STACK[REDIS_URL]}" \
    "KAFKA_ENSURE_TOPICS=true" \
    "KAFKA_TOPIC_PARTITIONS=${PIPELINE_PARTITIONS:-3}" \
    "LOG_LEVEL=${LOG_LEVEL:-info}"
  case "$svc" in
    ingest | detector)
      # as the chart's services.{ingest,detector}.env.NODE_OPTIONS (docs/benchmarks.md)
      printf '%s\n' "NODE_OPTIONS=${NODE_OPTIONS:---max-semi-space-size=64}"
      ;;
    sink-oss)
      printf '%s\n' \
        "OSS_ENDPOINT=${STACK[S3_ENDPOINT]}" \
        "OSS_REGION=${STACK[S3_REGION]}" \
        "OSS_ACCESS_KEY_ID=${STACK[S3_ACCESS_KEY_ID]}" \
        "OSS_ACCESS_KEY_SECRET=${STACK[S3_SECRET_ACCESS_KEY]}" \
        "OSS_BUCKET=${PIPELINE_OSS_BUCKET:-trail-insight-local}" \
        "OSS_FORCE_PATH_STYLE=true"
      ;;
    sink-sls)
      printf '%s\n' \
        "SLS_ENDPOINT=${STACK[KAFKA_SASL_BROKERS]}" \
        "SLS_PROJECT=${STACK[KAFKA_SASL_USERNAME]}" \
        "SLS_LOGSTORE=${PIPELINE_SLS_LOGSTORE:-trail-insight-events}" \
        "SLS_ACCESS_KEY_ID=${STACK[KAFKA_SASL_PASSWORD]%%#*}" \
        "SLS_ACCESS_KEY_SECRET=${STACK[KAFKA_SASL_PASSWORD]#*#}" \
        "SLS_CA_FILE=${STACK[KAFKA_SASL_CA_FILE]}"
      ;;
  esac
}

start_service() {
  local svc="$1" pid entry logfile
  entry="$(entry_of "$svc")"
  logfile="$LOG_DIR/$svc.log"
  if pid="$(running_pid "$svc")"; then
    log "$svc: already running (pid $pid, port $(port_of "$svc"))"
    return 0
  fi
  printf '\n===== %s starting %s =====\n' "$(date -u +%FT%TZ)" "$svc" >>"$logfile"
  local -a assignments
  mapfile -t assignments < <(service_env "$svc")
  # own session, no stdin, descriptors 3-9 closed so `$(pipeline.sh up)` does not wait on it
  setsid env "${assignments[@]}" node "$entry" </dev/null >>"$logfile" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  printf '%s\n' "$!" >"$RUN_DIR/$svc.pid"
  log "$svc: started pid $! on port $(port_of "$svc") (log: $logfile)"
}

wait_ready() {
  local svc="$1" port deadline code=""
  port="$(port_of "$svc")"
  deadline=$(($(date +%s) + READY_TIMEOUT_S))
  while (($(date +%s) < deadline)); do
    if ! running_pid "$svc" >/dev/null; then
      tail -n 30 "$LOG_DIR/$svc.log" >&2 || true
      die "$svc exited before it was ready (log: $LOG_DIR/$svc.log)"
    fi
    code="$(http_status "http://127.0.0.1:$port/ready")"
    if [[ "$code" == 200 ]]; then
      log "$svc: ready (http://127.0.0.1:$port)"
      return 0
    fi
    sleep 0.5
  done
  tail -n 30 "$LOG_DIR/$svc.log" >&2 || true
  die "$svc not ready after ${READY_TIMEOUT_S}s (last /ready: '$code'; log: $LOG_DIR/$svc.log)"
}

stop_service() {
  local svc="$1" pid waited=0
  if ! pid="$(running_pid "$svc")"; then
    log "$svc: not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  while pid_alive "$pid"; do
    if ((waited >= 300)); then
      log "$svc (pid $pid) did not stop within 30s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$RUN_DIR/$svc.pid"
  log "$svc: stopped (pid $pid)"
}

# STATE_PREFIX (deprecated, one release) stands for REDIS_PREFIX, so the detector writes its keys
# where the console reads them.
apply_deprecated_prefix() {
  [[ -n "${STATE_PREFIX+set}" ]] || return 0
  if [[ -n "${REDIS_PREFIX+set}" && "$REDIS_PREFIX" != "$STATE_PREFIX" ]]; then
    die "STATE_PREFIX ('$STATE_PREFIX') is the deprecated name of REDIS_PREFIX ('$REDIS_PREFIX') and they differ: export only REDIS_PREFIX"
  fi
  log "WARNING: STATE_PREFIX is deprecated and will be removed in the next release: export REDIS_PREFIX instead (read by the detector and the console)"
  export REDIS_PREFIX="$STATE_PREFIX"
}

cmd_up() {
  apply_deprecated_prefix
  local build=true
  if [[ "${1:-}" == --no-build ]]; then
    build=false
    shift
  fi
  local -a services components
  mapfile -t services < <(selected_services "$@")
  if (($# == 0)) && [[ "${DETECTOR_INPUT:-normalized}" == raw ]]; then
    # the detector reads the raw topic itself: ingest has nothing to do
    mapfile -t services < <(printf '%s\n' "${services[@]}" | grep -vx ingest)
    log "DETECTOR_INPUT=raw: not starting ingest"
  fi
  mapfile -t components < <(components_for "${services[@]}")
  mkdir -p "$RUN_DIR" "$LOG_DIR"

  log "stack: ${components[*]}"
  local settings
  settings="$(bash "$LOCAL_DIR/stack.sh" up "${components[@]}")"
  # Stack settings go to services only through service_env: exporting them all would, e.g., turn on
  # SASL (KAFKA_SASL_*) for every service on the plaintext listener.
  local line
  while IFS= read -r line; do
    if [[ "$line" =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]]; then
      STACK["${BASH_REMATCH[1]}"]="${BASH_REMATCH[2]}"
    fi
  done <<<"$settings"

  if [[ "$build" == true ]]; then
    log "bundling services (node deploy/build/bundle.mjs)"
    (cd "$ROOT_DIR" && node deploy/build/bundle.mjs >&2)
  fi

  local -a started=()
  local svc
  for svc in "${services[@]}"; do
    if [[ ! -f "$(entry_of "$svc")" ]]; then
      log "$svc: skipped (no services/$svc/dist/main.js)"
      continue
    fi
    [[ "$svc" == sink-oss ]] && ensure_bucket "${PIPELINE_OSS_BUCKET:-trail-insight-local}"
    start_service "$svc"
    started+=("$svc")
  done
  for svc in "${started[@]}"; do
    wait_ready "$svc"
  done

  printf '%s\n' "$settings" >&3
  for svc in "${started[@]}"; do
    printf '%s_URL=http://127.0.0.1:%s\n' "$(echo "$svc" | tr 'a-z-' 'A-Z_')" "$(port_of "$svc")" >&3
  done
  printf 'PIPELINE_LOG_DIR=%s\n' "$LOG_DIR" >&3
  log "up: ${started[*]:-nothing} (logs: $LOG_DIR)"
}

cmd_down() {
  local -a services
  mapfile -t services < <(selected_services "$@")
  local i
  for ((i = ${#services[@]} - 1; i >= 0; i--)); do
    stop_service "${services[i]}"
  done
}

cmd_status() {
  local -a services
  mapfile -t services < <(selected_services "$@")
  local svc pid port rc=0
  for svc in "${services[@]}"; do
    port="$(port_of "$svc")"
    if pid="$(running_pid "$svc")"; then
      printf '%s: running (pid %s) http://127.0.0.1:%s /ready %s\n' \
        "$svc" "$pid" "$port" "$(http_status "http://127.0.0.1:$port/ready")" >&3
    elif [[ -f "$(entry_of "$svc")" ]]; then
      printf '%s: stopped\n' "$svc" >&3
      rc=3
    else
      printf '%s: not built (no services/%s/dist/main.js)\n' "$svc" "$svc" >&3
    fi
  done
  return "$rc"
}

main() {
  local cmd="${1:-}"
  (($# > 0)) && shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    down | stop) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    -h | --help | help) usage ;;
    *)
      usage
      exit 2
      ;;
  esac
}

main "$@"
