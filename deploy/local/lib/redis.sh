# shellcheck shell=bash
# Redis from Debian's redis-server package, run directly (not through systemd/init.d).
#   redis          127.0.0.1:16379, appendonly          -> REDIS_URL
#   redis-cluster  127.0.0.1:17000-17002, 3 masters,
#                  cluster bus on 27000-27002           -> REDIS_CLUSTER_NODES

REDIS_PORT=16379
REDIS_CLUSTER_PORTS=(17000 17001 17002)
REDIS_STARTED=0
REDIS_CLUSTER_STARTED=0

redis_prepare() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    apt_install redis-server redis-tools
  fi
}

redis_ping() {
  local port="$1" out
  out="$(timeout 5 redis-cli -h "$BIND_HOST" -p "$port" ping 2>/dev/null)" || return 1
  [[ "$out" == PONG ]]
}

# redis_launch NAME PORT DIR [EXTRA_ARGS...]: one redis-server in the foreground of its own
# session. Redis rewrites its process title to "redis-server 127.0.0.1:PORT", which is what the
# pidfile check matches on.
redis_launch() {
  local name="$1" port="$2" dir="$3"
  shift 3
  mkdir -p "$dir"
  start_bg "$name" redis-server --port "$port" --bind "$BIND_HOST" --daemonize no \
    --dir "$dir" --appendonly yes --logfile "" --save "" "$@"
}

redis_start() {
  REDIS_STARTED=0
  if running_pid redis ":$REDIS_PORT" >/dev/null; then
    log "redis: already running"
    return 0
  fi
  require_port_free redis "$REDIS_PORT"
  redis_launch redis "$REDIS_PORT" "$STACK_DIR/redis"
  REDIS_STARTED=1
}

redis_wait() {
  local pid
  pid="$(running_pid redis ":$REDIS_PORT")" || {
    tail_log redis
    die "redis: not running"
  }
  wait_until redis "$pid" 30 redis_ping "$REDIS_PORT"
  ((REDIS_STARTED == 0)) || log "redis: ready on $BIND_HOST:$REDIS_PORT"
}

redis_stop() { stop_named redis ":$REDIS_PORT" 30; }

redis_status() {
  local pid
  if pid="$(running_pid redis ":$REDIS_PORT")"; then
    printf 'redis: running (pid %s) %s:%s\n' "$pid" "$BIND_HOST" "$REDIS_PORT"
    return 0
  fi
  printf 'redis: stopped\n'
  return 1
}

redis_env() { emit REDIS_URL "redis://$BIND_HOST:$REDIS_PORT"; }

# ---------------------------------------------------------------- cluster

redis_cluster_info() {
  timeout 5 redis-cli -h "$BIND_HOST" -p "$1" cluster info 2>/dev/null | tr -d '\r'
}

redis_cluster_ok() {
  local port
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    redis_cluster_info "$port" | grep -qx 'cluster_state:ok' || return 1
  done
}

redis_cluster_prepare() { redis_prepare; }

redis_cluster_start() {
  REDIS_CLUSTER_STARTED=0
  local port
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    if running_pid "redis-cluster-$port" ":$port" >/dev/null; then
      continue
    fi
    require_port_free "redis-cluster-$port" "$port"
    require_port_free "redis-cluster-$port" "$((port + 10000))"
    redis_launch "redis-cluster-$port" "$port" "$STACK_DIR/redis-cluster/$port" \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
      --cluster-announce-ip "$BIND_HOST"
    REDIS_CLUSTER_STARTED=1
  done
  ((REDIS_CLUSTER_STARTED == 1)) || log "redis-cluster: already running"
}

redis_cluster_wait() {
  local port pid nodes=() assigned=0
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    pid="$(running_pid "redis-cluster-$port" ":$port")" || {
      tail_log "redis-cluster-$port"
      die "redis-cluster: node $port not running"
    }
    wait_until "redis-cluster-$port" "$pid" 30 redis_ping "$port"
    nodes+=("$BIND_HOST:$port")
  done
  redis_cluster_ok && return 0
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    if redis_cluster_info "$port" | grep -q '^cluster_slots_assigned:[1-9]'; then
      assigned=1
    fi
  done
  if ((assigned == 0)); then
    log "redis-cluster: creating cluster of ${#nodes[@]} masters"
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes </dev/null >&2 ||
      die "redis-cluster: redis-cli --cluster create failed (reset with: stack.sh down redis-cluster && rm -rf '$STACK_DIR/redis-cluster')"
  else
    log "redis-cluster: existing cluster state found (nodes.conf), waiting for it to converge"
  fi
  local deadline
  deadline=$(($(now_s) + 60))
  until redis_cluster_ok; do
    if (($(now_s) >= deadline)); then
      redis_cluster_info "${REDIS_CLUSTER_PORTS[0]}" >&2 || true
      die "redis-cluster: cluster_state not ok after 60s (reset with: stack.sh down redis-cluster && rm -rf '$STACK_DIR/redis-cluster')"
    fi
    sleep 0.2
  done
  log "redis-cluster: ready (cluster_state:ok) on ${nodes[*]}"
}

redis_cluster_stop() {
  local port
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    stop_named "redis-cluster-$port" ":$port" 30
  done
}

redis_cluster_status() {
  local port pid up=() down=()
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    if pid="$(running_pid "redis-cluster-$port" ":$port")"; then
      up+=("$port/pid $pid")
    else
      down+=("$port")
    fi
  done
  if ((${#down[@]} == 0)); then
    printf 'redis-cluster: running (%s)\n' "${up[*]}"
    return 0
  fi
  if ((${#up[@]} == 0)); then
    printf 'redis-cluster: stopped\n'
  else
    printf 'redis-cluster: PARTIAL, running: %s; stopped: %s\n' "${up[*]}" "${down[*]}"
  fi
  return 1
}

redis_cluster_env() {
  local port nodes=()
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do nodes+=("$BIND_HOST:$port"); done
  local IFS=,
  emit REDIS_CLUSTER_NODES "${nodes[*]}"
}
