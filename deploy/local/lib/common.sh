# shellcheck shell=bash
# Shared helpers for deploy/local/stack.sh. Sourced, never run directly.
#
# Conventions:
#   * everything a human reads goes to stderr (stack.sh points fd 1 at stderr and keeps the
#     real stdout on fd 3 for the KEY=VALUE settings);
#   * every server runs as a plain background process in its own session (setsid), with its
#     pid in "$STACK_DIR/run/<name>.pid" and its output in "$STACK_DIR/logs/<name>.log".

STACK_DIR="${TRAIL_INSIGHT_STACK_DIR:-$HOME/.cache/trail-insight/stack}"
CACHE_DIR="${TRAIL_INSIGHT_CACHE_DIR:-$HOME/.cache/trail-insight}"
RUN_DIR="$STACK_DIR/run"
LOG_DIR="$STACK_DIR/logs"
BIND_HOST=127.0.0.1

log() { printf '[stack] %s\n' "$*" >&2; }
warn() { printf '[stack] WARNING: %s\n' "$*" >&2; }
die() {
  printf '[stack] ERROR: %s\n' "$*" >&2
  exit 1
}

now_s() { date +%s; }

ensure_dirs() { mkdir -p "$RUN_DIR" "$LOG_DIR" "$CACHE_DIR"; }

# ---------------------------------------------------------------- processes

# pid_alive PID: true when PID exists and is not a zombie (orphaned servers are reparented to
# whatever PID 1 is, which may never reap them).
pid_alive() {
  local pid="$1" state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/stat" ]] || return 1
  state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# proc_matches PID PATTERN: the process' command line contains PATTERN (guards against a
# stale pidfile whose pid was reused by something else).
proc_matches() {
  local pid="$1" pattern="$2" cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmdline" == *"$pattern"* ]]
}

# running_pid NAME PATTERN: prints the pid of server NAME when it is running; removes a stale
# pidfile and fails otherwise.
running_pid() {
  local name="$1" pattern="$2" pidfile pid=""
  pidfile="$RUN_DIR/$name.pid"
  [[ -f "$pidfile" ]] || return 1
  read -r pid <"$pidfile" || true
  if pid_alive "$pid" && proc_matches "$pid" "$pattern"; then
    printf '%s\n' "$pid"
    return 0
  fi
  rm -f "$pidfile"
  return 1
}

# start_bg NAME CMD...: starts CMD detached (own session, stdin from /dev/null, all output to
# the log) so it neither holds the caller's stdout pipe nor dies with the caller's terminal.
start_bg() {
  local name="$1"
  shift
  local logfile="$LOG_DIR/$name.log"
  printf '\n===== %s starting %s =====\n' "$(date -u +%FT%TZ)" "$name" >>"$logfile"
  # In a non-interactive shell a background child is never a process-group leader, so setsid
  # execs in place and $! is the server's own pid.
  # Descriptors 3-9 are closed in the child: fd 3 is stack.sh's real stdout (a server holding
  # it would make `$(stack.sh up)` wait forever) and fd 9 is the stack lock.
  setsid "$@" </dev/null >>"$logfile" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  printf '%s\n' "$!" >"$RUN_DIR/$name.pid"
  log "$name: started pid $! (log: $logfile)"
}

# stop_pid NAME PID [TIMEOUT_S]: SIGTERM, wait for exit, SIGKILL after TIMEOUT_S.
stop_pid() {
  local name="$1" pid="$2" timeout="${3:-30}" waited=0
  kill -TERM "$pid" 2>/dev/null || true
  while pid_alive "$pid"; do
    if ((waited >= timeout * 10)); then
      warn "$name (pid $pid) did not stop within ${timeout}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$RUN_DIR/$name.pid"
  log "$name: stopped (pid $pid)"
}

# stop_named NAME PATTERN [TIMEOUT_S]
stop_named() {
  local name="$1" pattern="$2" timeout="${3:-30}" pid
  if pid="$(running_pid "$name" "$pattern")"; then
    stop_pid "$name" "$pid" "$timeout"
  else
    log "$name: not running"
  fi
}

tail_log() {
  local name="$1" lines="${2:-40}"
  if [[ -f "$LOG_DIR/$name.log" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$lines" "$LOG_DIR/$name.log" >&2
    tail -n "$lines" "$LOG_DIR/$name.log" >&2 || true
    printf -- '-----\n' >&2
  fi
}

# ---------------------------------------------------------------- network

tcp_open() {
  local port="$1" host="${2:-$BIND_HOST}"
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# require_port_free NAME PORT: fail early instead of starting a server that cannot bind.
require_port_free() {
  local name="$1" port="$2"
  if tcp_open "$port"; then
    die "$name: port $BIND_HOST:$port is already in use by a process this script did not start (no live pidfile in $RUN_DIR); stop it or free the port"
  fi
}

# wait_until NAME PID TIMEOUT_S CMD...: polls CMD until it succeeds; fails fast when the server
# process (PID) has died.
wait_until() {
  local name="$1" pid="$2" timeout="$3"
  shift 3
  local deadline
  deadline=$(($(now_s) + timeout))
  until "$@"; do
    if ! pid_alive "$pid"; then
      tail_log "$name"
      die "$name: process $pid exited during startup"
    fi
    if (($(now_s) >= deadline)); then
      tail_log "$name"
      # do not leave a half-started server behind for the next `up` to mistake for a good one
      stop_pid "$name" "$pid" 15
      die "$name: not ready after ${timeout}s"
    fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------- installs

# apt_install PKG...: non-interactive install that never starts the packages' services
# (Debian's redis-server/prometheus postinst would otherwise try to) and never hangs on a
# prompt. apt-get update runs only when the first install attempt fails.
apt_install() {
  ((EUID == 0)) || die "need root to apt-get install $*; install it yourself and re-run"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* yourself and re-run"
  log "apt-get install $* ..."
  (
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a
    policy=/usr/sbin/policy-rc.d
    if [[ ! -e "$policy" ]]; then
      printf '#!/bin/sh\n# temporary, from trail-insight deploy/local/lib/common.sh\nexit 101\n' >"$policy"
      chmod 0755 "$policy"
      trap 'rm -f "$policy"' EXIT
    fi
    apt_opts=(-y -q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --no-install-recommends)
    if ! apt-get install "${apt_opts[@]}" "$@" </dev/null >&2; then
      log "apt-get install failed; running apt-get update and retrying"
      apt-get update -q -o DPkg::Lock::Timeout=300 </dev/null >&2
      apt-get install "${apt_opts[@]}" "$@" </dev/null >&2
    fi
  ) || die "apt-get install $* failed"
}

ensure_java() {
  command -v java >/dev/null 2>&1 || apt_install default-jre-headless
}

ensure_mvn() {
  ensure_java
  command -v mvn >/dev/null 2>&1 || apt_install maven
}

# mvn_copy_deps POM OUTDIR [MVN_ARGS...]: resolves POM's runtime dependencies from Maven Central
# into OUTDIR (atomically: OUTDIR only appears once complete, marked by OUTDIR/.complete).
mvn_copy_deps() {
  local pom="$1" out="$2"
  shift 2
  [[ -f "$out/.complete" ]] && return 0
  ensure_mvn
  local tmp="$out.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$(dirname "$out")"
  log "resolving $(basename "$(dirname "$pom")") jars from Maven Central into $out ..."
  # (Maven 3.8 prints ANSI resets even with -B; the sed strips them)
  if ! mvn -B -q -Dstyle.color=never -f "$pom" "$@" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" </dev/null 2>&1 |
    sed -u 's/\x1b\[[0-9;]*m//g' >&2; then
    rm -rf "$tmp"
    die "mvn dependency:copy-dependencies failed for $pom"
  fi
  date -u +%FT%TZ >"$tmp/.complete"
  rm -rf "$out"
  mv "$tmp" "$out"
}

# emit KEY VALUE: one shell-sourceable settings line on the real stdout (fd 3). Plain values
# (all of ours: hosts, ports, URLs, paths, "AKID#SECRET" - a '#' inside a word is no comment)
# are printed bare, so dotenv-style readers see the same value as `source`/`eval`; anything else
# is single-quoted.
emit() {
  local key="$1" value="$2"
  if [[ "$value" =~ ^[A-Za-z0-9_@%+:,./=-][A-Za-z0-9_@%+:,./=#-]*$ ]]; then
    printf '%s=%s\n' "$key" "$value" >&3
  else
    printf "%s='%s'\n" "$key" "${value//\'/\'\\\'\'}" >&3
  fi
}
