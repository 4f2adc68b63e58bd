# Redis Cluster of three masters on loopback, for @switchboard/adapter-redis's cluster tests.
#
# Usage (standalone):   bash scripts/brokers-lib/redis-cluster.sh up|down|status|env
#   up      starts redis-server --cluster-enabled on ports 7001-7003 (REDIS_CLUSTER_PORTS overrides)
#           under .brokers/redis-cluster/<port>, creates the cluster (no replicas) once, waits for
#           cluster_state:ok. Idempotent: nodes already running are left alone.
#   down    stops the nodes (SIGTERM, then SIGKILL after 10 s) and removes their data (a fresh
#           cluster next time).
#   status  prints each node's state and the cluster state.
#   env     prints `export SWITCHBOARD_REDIS_CLUSTER_URL=redis://127.0.0.1:7001,...?cluster=true`.
# Sourced (scripts/brokers may do so): defines redis_cluster_up, redis_cluster_down,
# redis_cluster_status and redis_cluster_env, and runs nothing.
# Needs redis-server and redis-cli (Debian package redis-server). Nothing persists (no AOF, no RDB).

REDIS_CLUSTER_PORTS=${REDIS_CLUSTER_PORTS:-"7001 7002 7003"}
REDIS_CLUSTER_DIR=${REDIS_CLUSTER_DIR:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.brokers/redis-cluster"}

redis_cluster_ping() { redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; }

redis_cluster_up() {
  command -v redis-server >/dev/null || { echo "redis-cluster: redis-server not found (apt-get install redis-server)" >&2; return 1; }
  local port dir
  for port in $REDIS_CLUSTER_PORTS; do
    dir="$REDIS_CLUSTER_DIR/$port"
    mkdir -p "$dir"
    if redis_cluster_ping "$port"; then continue; fi
    redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --dir "$dir" \
      --pidfile "$dir/pid" --logfile "$dir/redis.log" --cluster-enabled yes \
      --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 5000 \
      --save '' --appendonly no
  done
  for port in $REDIS_CLUSTER_PORTS; do
    for _ in $(seq 50); do redis_cluster_ping "$port" && break; sleep 0.1; done
    redis_cluster_ping "$port" || { echo "redis-cluster: node $port did not start; see $REDIS_CLUSTER_DIR/$port/redis.log" >&2; return 1; }
  done
  local first=${REDIS_CLUSTER_PORTS%% *}
  if ! redis-cli -p "$first" cluster info | grep -q 'cluster_state:ok'; then
    if [ "$(redis-cli -p "$first" cluster info | awk -F: '/cluster_known_nodes/{print $2+0}')" -lt 2 ]; then
      local nodes=()
      for port in $REDIS_CLUSTER_PORTS; do nodes+=("127.0.0.1:$port"); done
      redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$REDIS_CLUSTER_DIR/create.log" 2>&1 \
        || { echo "redis-cluster: cluster create failed; see $REDIS_CLUSTER_DIR/create.log" >&2; return 1; }
    fi
    for _ in $(seq 100); do redis-cli -p "$first" cluster info | grep -q 'cluster_state:ok' && break; sleep 0.1; done
  fi
  redis-cli -p "$first" cluster info | grep -q 'cluster_state:ok' || { echo "redis-cluster: cluster_state is not ok" >&2; return 1; }
  echo "redis-cluster: up on ports $REDIS_CLUSTER_PORTS" >&2
}

redis_cluster_down() {
  local port dir pid
  for port in $REDIS_CLUSTER_PORTS; do
    dir="$REDIS_CLUSTER_DIR/$port"
    [ -f "$dir/pid" ] || continue
    pid=$(cat "$dir/pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
  done
  rm -rf "$REDIS_CLUSTER_DIR"
  echo "redis-cluster: down" >&2
}

redis_cluster_status() {
  local port
  for port in $REDIS_CLUSTER_PORTS; do
    if redis_cluster_ping "$port"; then echo "redis-cluster node $port: up"; else echo "redis-cluster node $port: down"; fi
  done
  redis-cli -p "${REDIS_CLUSTER_PORTS%% *}" cluster info 2>/dev/null | grep cluster_state || true
}

redis_cluster_env() {
  local urls=() port
  for port in $REDIS_CLUSTER_PORTS; do urls+=("redis://127.0.0.1:$port"); done
  local IFS=,
  echo "export SWITCHBOARD_REDIS_CLUSTER_URL='${urls[*]}?cluster=true'"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    up) redis_cluster_up ;;
    down) redis_cluster_down ;;
    status) redis_cluster_status ;;
    env) redis_cluster_env ;;
    *) echo "usage: bash $0 up|down|status|env" >&2; exit 2 ;;
  esac
fi
