#!/usr/bin/env bash
# Local test/dev stack: real servers as plain background processes on 127.0.0.1.
#
#   deploy/local/stack.sh up     [component...]   install what is missing, start, wait until ready,
#                                                 then print KEY=VALUE settings on stdout
#   deploy/local/stack.sh down   [component...]   stop (SIGTERM, wait for exit)
#   deploy/local/stack.sh status [component...]   show what is running (exit 3 if any is not)
#   deploy/local/stack.sh env    [component...]   print the settings of running components
#
# Components: kafka kafka-sasl redis redis-cluster s3 prometheus chromium
#   `up` with none given: kafka redis. `down`/`status`/`env` with none given: all.
#
# stdout carries only the KEY=VALUE lines (shell-sourceable); all progress goes to stderr:
#   set -a; eval "$(bash deploy/local/stack.sh up kafka redis s3)"; set +a
# Through npm, add --silent, or npm's own banner lands on stdout too:
#   npm run --silent stack -- up
#
# State (data, logs, pidfiles): ${TRAIL_INSIGHT_STACK_DIR:-$HOME/.cache/trail-insight/stack}
# Downloaded jars:              ${TRAIL_INSIGHT_CACHE_DIR:-$HOME/.cache/trail-insight}
# Reset: stack.sh down && rm -rf "$TRAIL_INSIGHT_STACK_DIR" (see deploy/local/README.md).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Keep the real stdout on fd 3 for the settings; everything else (ours, mvn's, apt's) -> stderr.
exec 3>&1 1>&2

# shellcheck source=lib/common.sh
source "$LOCAL_DIR/lib/common.sh"
# shellcheck source=lib/kafka.sh
source "$LOCAL_DIR/lib/kafka.sh"
# shellcheck source=lib/redis.sh
source "$LOCAL_DIR/lib/redis.sh"
# shellcheck source=lib/s3proxy.sh
source "$LOCAL_DIR/lib/s3proxy.sh"
# shellcheck source=lib/tools.sh
source "$LOCAL_DIR/lib/tools.sh"

ALL_COMPONENTS=(kafka kafka-sasl redis redis-cluster s3 prometheus chromium)
DEFAULT_UP=(kafka redis)

usage() {
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

# canonical component name (accepts a few aliases)
canonical() {
  case "$1" in
    kafka) echo kafka ;;
    kafka-sasl | kafka_sasl | kafka-sasl-ssl) echo kafka-sasl ;;
    redis) echo redis ;;
    redis-cluster | redis_cluster) echo redis-cluster ;;
    s3 | s3proxy) echo s3 ;;
    prometheus | promtool) echo prometheus ;;
    chromium | chrome) echo chromium ;;
    *) die "unknown component '$1' (known: ${ALL_COMPONENTS[*]})" ;;
  esac
}

# function-name prefix of the implementation (kafka-sasl is the kafka process)
impl_of() {
  case "$1" in
    kafka | kafka-sasl) echo kafka ;;
    redis) echo redis ;;
    redis-cluster) echo redis_cluster ;;
    s3) echo s3proxy ;;
    prometheus) echo prometheus ;;
    chromium) echo chromium ;;
  esac
}

env_fn_of() {
  case "$1" in
    kafka-sasl) echo kafka_sasl_env ;;
    *) echo "$(impl_of "$1")_env" ;;
  esac
}

# sets COMPONENTS (deduplicated, canonical, in the given order) and IMPLS (unique impls)
resolve() {
  COMPONENTS=()
  IMPLS=()
  local c impl seen_c=" " seen_i=" "
  for c in "$@"; do
    c="$(canonical "$c")"
    [[ "$seen_c" == *" $c "* ]] && continue
    seen_c+="$c "
    COMPONENTS+=("$c")
    impl="$(impl_of "$c")"
    [[ "$seen_i" == *" $impl "* ]] && continue
    seen_i+="$impl "
    IMPLS+=("$impl")
  done
}

take_lock() {
  ensure_dirs
  exec 9>"$STACK_DIR/.lock"
  if ! flock -n 9; then
    log "another stack.sh is running against $STACK_DIR; waiting for it ..."
    flock -w 1200 9 || die "timed out waiting for the lock on $STACK_DIR/.lock"
  fi
}

cmd_up() {
  (($# > 0)) || set -- "${DEFAULT_UP[@]}"
  resolve "$@"
  take_lock
  local t0 impl c
  t0=$(now_s)
  log "up: ${COMPONENTS[*]} (state: $STACK_DIR, cache: $CACHE_DIR)"
  # install/download everything first, then start all servers, then wait for each, so the
  # slow JVM startups overlap
  for impl in "${IMPLS[@]}"; do "${impl}_prepare"; done
  for impl in "${IMPLS[@]}"; do "${impl}_start"; done
  for impl in "${IMPLS[@]}"; do "${impl}_wait"; done
  log "up: ${COMPONENTS[*]} ready in $(($(now_s) - t0))s"
  for c in "${COMPONENTS[@]}"; do "$(env_fn_of "$c")"; done
}

cmd_down() {
  (($# > 0)) || set -- "${ALL_COMPONENTS[@]}"
  resolve "$@"
  take_lock
  local i
  for ((i = ${#IMPLS[@]} - 1; i >= 0; i--)); do "${IMPLS[i]}_stop"; done
}

cmd_status() {
  (($# > 0)) || set -- kafka redis redis-cluster s3 prometheus chromium
  resolve "$@"
  local impl rc=0
  for impl in "${IMPLS[@]}"; do
    "${impl}_status" >&3 || rc=3
  done
  return "$rc"
}

cmd_env() {
  (($# > 0)) || set -- "${ALL_COMPONENTS[@]}"
  resolve "$@"
  local c
  for c in "${COMPONENTS[@]}"; do
    if "$(impl_of "$c")_status" >/dev/null; then
      "$(env_fn_of "$c")"
    fi
  done
}

main() {
  local cmd="${1:-}"
  (($# > 0)) && shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    down | stop) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    env) cmd_env "$@" ;;
    -h | --help | help)
      usage
      ;;
    *)
      usage
      exit 2
      ;;
  esac
}

main "$@"
