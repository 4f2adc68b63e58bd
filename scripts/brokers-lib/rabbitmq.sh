# RabbitMQ instance of scripts/brokers. Sourced, not run.
# A RabbitMQ already listening (the machine's pre-started node) is used as it is; `restart` then runs
# `rabbitmqctl stop_app` + `start_app` on it, which stops and starts the broker inside the running
# Erlang node: durable queues and persistent messages are kept on disk, connections are dropped.
# Otherwise the script runs its own node, switchboard@localhost, with its own config, env file, cookie
# (HOME) and data under .brokers/rabbitmq, on loopback only, without plugins.

RABBIT_NODE=switchboard@localhost
RABBIT_BIN=/usr/lib/rabbitmq/bin

# rabbit_env NAME — the environment of our own node (server and rabbitmqctl alike).
rabbit_env() {
  local dir; dir=$(dir_of "$1")
  echo HOME="$dir/home" RABBITMQ_NODENAME=$RABBIT_NODE RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$dir/data" RABBITMQ_LOG_BASE="$dir/logs" RABBITMQ_LOGS=- \
    RABBITMQ_PID_FILE="$dir/node.pid" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$(port_of "$1")" RABBITMQ_DIST_PORT=$(($(port_of "$1") + 20000)) \
    ERL_EPMD_ADDRESS=127.0.0.1
}

# rabbitctl NAME SECONDS ARGS... — rabbitmqctl against NAME's node, bounded in time.
rabbitctl() {
  local name=$1 limit=$2; shift 2
  if is_ours "$name"; then
    # shellcheck disable=SC2046
    env $(rabbit_env "$name") timeout "$limit" "$RABBIT_BIN/rabbitmqctl" -n $RABBIT_NODE "$@"
  else
    timeout "$limit" rabbitmqctl "$@"
  fi
}

start_rabbitmq() {
  local name=$1 dir; dir=$(dir_of "$name")
  need_cmd "$name" rabbitmq-server rabbitmq-server
  [ -x "$RABBIT_BIN/rabbitmq-server" ] || fail "$name" "$RABBIT_BIN/rabbitmq-server not found" ""
  make_dirs "$name" "$dir/home" "$dir/data" "$dir/logs"
  : >"$dir/rabbitmq-env.conf"
  echo '[].' >"$dir/enabled_plugins"
  printf 'listeners.tcp.local = 127.0.0.1:%s\nloopback_users.guest = true\n' "$(port_of "$name")" >"$dir/rabbitmq.conf"
  # shellcheck disable=SC2046
  spawn "$name" env $(rabbit_env "$name") "$RABBIT_BIN/rabbitmq-server"
}

stop_rabbitmq() {
  local name=$1 log; log=$(log_of "$name")
  rabbitctl "$name" 60 stop >>"$log" 2>&1 || say "$name: 'rabbitmqctl stop' failed (see $log); stopping by signal"
  stop_pid "$name" 30
}

restart_rabbitmq() {
  local name=$1 log="$STATE/rabbitmq/restart.log"
  mkdir -p "$STATE/rabbitmq"
  speaks "$name" || die "$name: nothing speaks AMQP on port $(port_of "$name") (run: bash scripts/brokers up $name)"
  command -v rabbitmqctl >/dev/null 2>&1 || [ -x "$RABBIT_BIN/rabbitmqctl" ] ||
    fail "$name" "rabbitmqctl is missing, so the broker cannot be restarted" ""
  { rabbitctl "$name" 60 stop_app && rabbitctl "$name" 90 start_app && rabbitctl "$name" 90 await_startup; } \
    >>"$log" 2>&1 || fail "$name" "rabbitmqctl stop_app/start_app failed" "$log"
}
